import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appInBrowser, closeCleanly, createUser, expectAccessible, logOutFromAnotherDevice, newContext, screenshot, signIn, startApp, submitSignIn } from './support.ts';

const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

async function fillReport(page: Page, title: string): Promise<void> {
  await page.getByLabel('Report title').fill(title);
  await page.getByLabel('Department').selectOption('Sales');
  await page.getByLabel('Cost center').fill('CC-2031');
  await page.getByLabel('Trip start').fill('2026-11-16');
  await page.getByLabel('Trip end').fill('2026-11-18');
  await page.getByLabel('Business purpose').fill('Quarterly review with the Hamburg customer team.');
  await page.getByLabel('Date').first().fill('2026-11-16');
  await page.getByLabel('Description').first().fill('Flight Paris–Hamburg');
  await page.getByLabel('Category').first().selectOption('Travel');
  await page.getByLabel('Amount').first().fill('189.90');
  await page.getByRole('button', { name: 'Add item' }).click();
  await page.getByLabel('Date').nth(1).fill('2026-11-16');
  await page.getByLabel('Description').nth(1).fill('Hotel near the harbour, two nights');
  await page.getByLabel('Category').nth(1).selectOption('Lodging');
  await page.getByLabel('Amount').nth(1).fill('312');
}

const draftKeys = (page: Page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sessiond:draft:')));
/** Short enough to end a session while the test waits, long enough to fill the form first. */
const SHORT_IDLE = { SESSIOND_IDLE_TIMEOUT: '6s', SESSIOND_WARNING_BEFORE: '3s' };

describe('no lost work', () => {
  const app = appInBrowser();

  it('holds a request refused because the session ended, signs in in place, and sends it once', async () => {
    const email = 'held@example.com';
    await createUser(app.server.url, email);
    const { context, page, problems } = await newContext(app.browser);
    // No push channel: this tab only finds out when its own request is refused.
    await page.route('**/v1/session/events', (route) => route.abort());
    await signIn(page, app.server.url, email);
    await fillReport(page, 'Client visit Hamburg');

    // The session is ended from another device while the person is still typing.
    const phone = await logOutFromAnotherDevice(app.server.url, email, SAFARI_IPHONE);

    const posts: Array<{ key: string | undefined; status: number; body: string }> = [];
    page.on('response', async (r) => {
      if (!r.url().endsWith('/v1/demo/expense-reports')) return;
      posts.push({ key: r.request().headers()['idempotency-key'], status: r.status(), body: await r.text() });
    });
    await page.getByRole('button', { name: 'Submit report' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign in to continue' });
    await dialog.getByText('You were signed out from another of your sessions (Safari on iOS).').waitFor();
    await dialog.getByText('What you just sent will go through once you are signed in.').waitFor();
    await expectAccessible(page, 'held request');
    await screenshot(page, 'held-request');

    await submitSignIn(dialog, email);
    await page.getByText('Report “Client visit Hamburg” was submitted.', { exact: false }).waitFor();
    await expect.poll(() => posts.length).toBe(2);
    expect(posts.map((p) => p.status)).toEqual([401, 201]);
    expect(posts[0]!.key).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(posts[1]!.key).toBe(posts[0]!.key);
    const filed = JSON.parse(posts[1]!.body) as { id: string; duplicate: boolean };
    expect(filed.duplicate).toBe(false);
    // Sending it yet again with that key would not file a second report.
    const again = await phone.post('/v1/demo/expense-reports', { title: 'Client visit Hamburg' }, { 'idempotency-key': posts[0]!.key! });
    expect(again.json).toEqual({ id: filed.id, duplicate: true });
    // A filed report leaves no draft behind.
    await expect.poll(() => draftKeys(page)).toEqual([]);
    await closeCleanly({ context, problems });
  });

  it('restores a draft after a reload', async () => {
    const email = 'reload@example.com';
    await createUser(app.server.url, email);
    const { context, page, problems } = await newContext(app.browser);
    await signIn(page, app.server.url, email);
    await fillReport(page, 'Trade fair in Milan');
    await page.getByLabel('Notes (optional)').fill('Receipts are attached in the shared folder.');
    await expectAccessible(page, 'demo app');
    await screenshot(page, 'demo-expense-report', true);
    await expect.poll(async () => (await draftKeys(page)).length).toBe(1);
    await page.waitForTimeout(500); // the last keystrokes' debounce

    await page.reload();
    await page.getByText(/We restored your unsaved draft from/).waitFor();
    expect(await page.getByLabel('Report title').inputValue()).toBe('Trade fair in Milan');
    expect(await page.getByLabel('Department').inputValue()).toBe('Sales');
    expect(await page.getByLabel('Description').nth(1).inputValue()).toBe('Hotel near the harbour, two nights');
    expect(await page.getByLabel('Amount').nth(1).inputValue()).toBe('312');
    await page.getByText('€501.90').waitFor();
    await screenshot(page, 'demo-draft-restored');

    await page.getByRole('button', { name: 'Discard draft' }).click();
    expect(await page.getByLabel('Report title').inputValue()).toBe('');
    expect(await draftKeys(page)).toEqual([]);
    await closeCleanly({ context, problems });
  });

  it('signing out in one tab signs out the others at once and erases the drafts', async () => {
    const email = 'tabs@example.com';
    await createUser(app.server.url, email);
    const { context, page, problems } = await newContext(app.browser);
    await signIn(page, app.server.url, email);
    await page.getByLabel('Report title').fill('Shared computer expenses');
    await expect.poll(async () => (await draftKeys(page)).length).toBe(1);
    const other = await context.newPage();
    await other.goto(`${app.server.url}/demo`);
    await other.getByText(/We restored your unsaved draft/).waitFor();

    await page.bringToFront();
    const clickedAt = Date.now();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${app.server.url}/signed-out?reason=logged_out`);
    await other.waitForURL(`${app.server.url}/signed-out?reason=logged_out`, { timeout: 1_000 });
    expect(Date.now() - clickedAt).toBeLessThan(1_500);
    await other.getByText('You signed out.').waitFor();
    expect(await draftKeys(other)).toEqual([]);

    // The next person to sign in here sees an empty form.
    await signIn(other, app.server.url, email);
    expect(await other.getByLabel('Report title').inputValue()).toBe('');
    expect(await other.getByText(/We restored your unsaved draft/).count()).toBe(0);
    await closeCleanly({ context, problems });
  });

  it('after an idle timeout the page is covered until its owner signs in again, and the form comes back as it was, also after a reload', async () => {
    const short = await startApp(SHORT_IDLE);
    try {
      const email = 'owner@example.com';
      await createUser(short.url, email);
      const { context, page, problems } = await newContext(app.browser);
      await signIn(page, short.url, email);
      await fillReport(page, 'Workshop in Bordeaux');
      const dialog = page.getByRole('dialog', { name: 'Sign in to continue' });
      await dialog.getByText(/You were signed out after 6 seconds without activity/).waitFor({ timeout: 20_000 });
      // Covered: neither the form nor whose it is can be seen, and the email is not filled in.
      expect(await page.getByLabel('Report title').isVisible()).toBe(false);
      expect(await page.getByText(email).isVisible()).toBe(false);
      expect(await dialog.getByLabel('Email').inputValue()).toBe('');
      await expectAccessible(page, 'covered page');
      await screenshot(page, 'covered-after-idle-timeout');

      await submitSignIn(dialog, email);
      await dialog.waitFor({ state: 'detached' });
      expect(await page.getByLabel('Report title').inputValue()).toBe('Workshop in Bordeaux');
      expect(await page.getByLabel('Description').nth(1).inputValue()).toBe('Hotel near the harbour, two nights');
      await page.getByText('€501.90').waitFor();

      // Ended again, and this time the tab is reloaded before signing in: the sealed draft brings it back.
      await dialog.waitFor({ timeout: 20_000 });
      await page.reload();
      await page.waitForURL(/\/login\?/);
      await submitSignIn(page, email);
      await page.waitForURL(`${short.url}/demo`);
      await page.getByText(/We restored your unsaved draft from/).waitFor();
      expect(await page.getByLabel('Report title').inputValue()).toBe('Workshop in Bordeaux');
      expect(await page.getByLabel('Amount').nth(1).inputValue()).toBe('312');
      await closeCleanly({ context, problems });
    } finally {
      await short.stop();
    }
  }, 90_000);
});
