import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appInBrowser, closeCleanly, createUser, logOutFromAnotherDevice, newContext, PASSWORD, screenshot, signIn, startApp, submitSignIn } from '../browser/support.ts';

/** Everything script in the page can read: cookies, both storages, every IndexedDB record. */
async function everythingScriptCanRead(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const dump: Record<string, unknown> = { cookie: document.cookie, local: { ...localStorage }, session: { ...sessionStorage } };
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(info.name!);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        dump[`idb:${info.name}:${store}`] = await new Promise((resolve) => {
          const all = db.transaction(store).objectStore(store).getAll();
          all.onsuccess = () => resolve(all.result);
        });
      }
      db.close();
    }
    return JSON.stringify(dump);
  });
}

const draftValues = (page: Page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sessiond:draft:')).map((k) => localStorage.getItem(k)!));

/** Signs in and types into the report until its (sealed) draft is saved. */
async function signInAndType(page: Page, url: string, email: string, title: string): Promise<void> {
  await signIn(page, url, email);
  await page.getByLabel('Report title').fill(title);
  await page.getByLabel('Business purpose').fill('Meeting the Oslo customer team.');
  await expect.poll(() => draftValues(page)).toHaveLength(1);
}

/** What the next person at the browser can see and read once the session has ended. */
async function expectNothingOfTheDraft(page: Page, email: string, typed: string[]): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Sign in to continue' });
  await dialog.waitFor({ timeout: 20_000 });
  expect(await page.getByRole('textbox', { name: 'Report title' }).isVisible()).toBe(false);
  expect(await page.getByRole('button', { name: 'Submit report' }).isVisible()).toBe(false);
  for (const text of [...typed, email]) expect(await page.getByText(text).isVisible()).toBe(false);
  expect(await dialog.getByLabel('Email').inputValue()).toBe('');
  const readable = await everythingScriptCanRead(page);
  for (const text of typed) expect(readable).not.toContain(text);
  expect((await draftValues(page)).join()).not.toContain('Oslo');
}

describe('what a signed-in page leaves in the browser (ASVS 3.3.4, 10.1.1, 14.3.1, 14.3.3)', () => {
  const app = appInBrowser();

  it('script can read no credential or password while signed in, and nothing of the session after logout', async () => {
    const email = 'storage@example.com';
    await createUser(app.server.url, email);
    const { context, page, problems } = await newContext(app.browser);
    await signIn(page, app.server.url, email, { rememberMe: true });
    // A draft is the one thing kept on purpose: the person's own unsent work, scoped to them and sealed.
    await page.getByLabel('Report title').fill('Conference travel');
    await expect.poll(() => draftValues(page)).toHaveLength(1);
    expect(await everythingScriptCanRead(page)).not.toContain('Conference travel');

    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'sessiond')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    // sessiond's browser cookie (SPEC §13) is no credential, but script cannot read it either.
    const browserCookie = cookies.find((c) => c.name === 'sessiond_browser')!;
    expect(browserCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(await everythingScriptCanRead(page)).not.toContain(browserCookie.value.split('.')[0]);
    const secrets = cookies.filter((c) => c !== browserCookie).map((c) => c.value.split('.')[1]!).filter(Boolean);
    expect(secrets.length).toBe(2); // the session and the trusted device
    const readable = await everythingScriptCanRead(page);
    for (const secret of secrets) expect(readable).not.toContain(secret);
    expect(readable).not.toContain(PASSWORD);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${app.server.url}/signed-out?reason=logged_out`);
    const after = await everythingScriptCanRead(page);
    expect(after).not.toContain('Conference travel');
    // Chromium applies the answer's cookie clearing (Clear-Site-Data) on its own schedule: polled.
    await expect.poll(async () => (await context.cookies()).map((c) => c.name), { timeout: 3_000 }).not.toContain('sessiond');
    await closeCleanly({ context, problems });
  });

  it('after an idle timeout the next person sees neither the form nor its draft, and signing in as someone else never restores it', async () => {
    const short = await startApp({ SESSIOND_IDLE_TIMEOUT: '6s', SESSIOND_WARNING_BEFORE: '3s' });
    try {
      await createUser(short.url, 'first@example.com');
      await createUser(short.url, 'next@example.com');
      const { context, page, problems } = await newContext(app.browser);
      await signInAndType(page, short.url, 'first@example.com', 'Offsite in Oslo');
      await expectNothingOfTheDraft(page, 'first@example.com', ['Offsite in Oslo', 'Meeting the Oslo customer team.']);
      await screenshot(page, 'covered-for-the-next-person');

      // Someone else signs in through the dialog: the page starts afresh for them, without the draft.
      const dialog = page.getByRole('dialog', { name: 'Sign in to continue' });
      await submitSignIn(dialog, 'next@example.com');
      await page.getByText('next@example.com').waitFor();
      await page.getByRole('textbox', { name: 'Report title' }).waitFor();
      expect(await page.getByRole('textbox', { name: 'Report title' }).inputValue()).toBe('');
      expect(await page.getByText(/We restored your unsaved draft/).count()).toBe(0);
      expect(await everythingScriptCanRead(page)).not.toContain('Oslo');
      await screenshot(page, 'next-person-signed-in');

      // The first person's draft is still theirs, for when they are back.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${short.url}/signed-out?reason=logged_out`);
      await signIn(page, short.url, 'first@example.com');
      await page.getByText(/We restored your unsaved draft/).waitFor();
      expect(await page.getByRole('textbox', { name: 'Report title' }).inputValue()).toBe('Offsite in Oslo');
      await closeCleanly({ context, problems });
    } finally {
      await short.stop();
    }
  }, 90_000);

  it('a revocation from another device covers the page too, and leaves the draft sealed', async () => {
    const email = 'revoked-storage@example.com';
    await createUser(app.server.url, email);
    const { context, page, problems } = await newContext(app.browser);
    await signInAndType(page, app.server.url, email, 'Visit in Oslo');
    await logOutFromAnotherDevice(app.server.url, email);
    await expectNothingOfTheDraft(page, email, ['Visit in Oslo', 'Meeting the Oslo customer team.']);
    await screenshot(page, 'covered-after-revocation');
    await closeCleanly({ context, problems });
  });
});
