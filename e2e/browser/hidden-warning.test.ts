import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../harness.ts';
import { createUser, expectAccessible, launchBrowser, newContext, screenshot, signIn, startApp } from './support.ts';

// The warning shows 10 s after the last activity and gives the 20 s WCAG 2.2.1 asks for.
const ENV = { SESSIOND_IDLE_TIMEOUT: '30s', SESSIOND_WARNING_BEFORE: '20s' };

/**
 * Headless Chromium keeps every page 'visible' (a second page brought to front, a minimised
 * window, CDP focus emulation and Page.setWebLifecycleState all left it so), so the page's
 * visibility is overridden here and `visibilitychange` fired by hand. Notification is wrapped to
 * record what the SDK constructs and to fire a notification's click: the system UI itself is not
 * observed.
 */
async function watchWarnings(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    let hidden = false;
    Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
    const w = window as unknown as Record<string, unknown>;
    w.__setHidden = (h: boolean) => {
      hidden = h;
      document.dispatchEvent(new Event('visibilitychange'));
    };
    const made: Array<{ title: string; body: string; n: Notification }> = [];
    let asked = 0;
    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        made.push({ title, body: options?.body ?? '', n: this });
      }
      static override requestPermission(...args: Parameters<typeof Notification.requestPermission>) {
        asked++;
        return Real.requestPermission(...args);
      }
    }
    window.Notification = Recorded;
    w.__notifications = () => made.map(({ title, body }) => ({ title, body }));
    w.__asked = () => asked;
    w.__clickNotification = (i: number) => made[i]!.n.onclick?.call(made[i]!.n, new Event('click'));
  });
}

const setHidden = (page: Page, hidden: boolean) => page.evaluate((h) => (window as unknown as { __setHidden(h: boolean): void }).__setHidden(h), hidden);
const notifications = (page: Page) => page.evaluate(() => (window as unknown as { __notifications(): Array<{ title: string; body: string }> }).__notifications());
const asked = (page: Page) => page.evaluate(() => (window as unknown as { __asked(): number }).__asked());

describe('a warning for a person looking elsewhere (SPEC §14)', () => {
  let server: ServerProcess;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startApp(ENV), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('with the page hidden: the countdown in the title, a notification whose click stays signed in', async () => {
    await createUser(server.url, 'hidden@example.com');
    const { context, page, problems } = await newContext(browser);
    await context.grantPermissions(['notifications'], { origin: server.url });
    await watchWarnings(context);
    await signIn(page, server.url, 'hidden@example.com');
    await page.getByLabel('Report title').waitFor();
    const original = await page.title();
    expect(original).toBe('New expense report · sessiond');
    await setHidden(page, true);

    const dialog = page.getByRole('alertdialog', { name: "You're about to be signed out" });
    await dialog.waitFor({ timeout: 15_000 });
    // Already allowed: nothing to ask.
    expect(await dialog.getByRole('button', { name: "Notify me before I'm signed out" }).count()).toBe(0);
    await page.waitForFunction((t) => /^Signing out in 0:\d\d · /.test(document.title) && document.title.endsWith(t), original, { timeout: 3_000 });
    const first = await page.title();
    // Updated each second.
    await page.waitForFunction((t) => document.title !== t && document.title.startsWith('Signing out in 0:'), first, { timeout: 2_500 });

    const shown = await notifications(page);
    expect(shown).toHaveLength(1);
    expect(shown[0]!.title).toMatch(/^You'll be signed out in (20|10) seconds — click to stay signed in$/);

    const extended = page.waitForResponse((r) => r.url().endsWith('/v1/session/extend') && r.request().method() === 'POST');
    await page.evaluate(() => (window as unknown as { __clickNotification(i: number): void }).__clickNotification(0));
    expect((await extended).status()).toBe(200);
    await dialog.waitFor({ state: 'detached', timeout: 3_000 });
    expect(await page.title()).toBe(original);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('restores the title when the page is visible again; the dialog gives 20 s and says what it shows', async () => {
    await createUser(server.url, 'back@example.com');
    const { context, page, problems } = await newContext(browser);
    await context.grantPermissions(['notifications'], { origin: server.url });
    await watchWarnings(context);
    await signIn(page, server.url, 'back@example.com');
    await page.getByLabel('Report title').waitFor();
    const original = await page.title();
    expect(original).toBe('New expense report · sessiond');
    await setHidden(page, true);
    const dialog = page.getByRole('alertdialog', { name: "You're about to be signed out" });
    await dialog.waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.title.startsWith('Signing out in '), undefined, { timeout: 3_000 });
    await setHidden(page, false);
    expect(await page.title()).toBe(original);

    // WCAG 2.2.1: at least 20 s to act once it shows (a second's slack for the timers).
    const shows = await dialog.locator('.countdown').textContent();
    expect(shows).toMatch(/^0:(19|20)$/);
    // The description tells screen readers the same time the countdown shows, in 10-s steps.
    const description = () => dialog.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby')!)!.textContent!);
    await page.waitForFunction(() => document.querySelector('.countdown')?.textContent === '0:09', undefined, { timeout: 15_000 });
    expect(await description()).toContain('signed out in less than 10 seconds');
    expect(await dialog.locator('[aria-live="polite"]').textContent()).toContain('less than 10 seconds');
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('never asks for the permission on page load, only on a click of "Notify me before I\'m signed out"', async () => {
    await createUser(server.url, 'ask@example.com');
    const { context, page, problems } = await newContext(browser);
    await watchWarnings(context);
    await signIn(page, server.url, 'ask@example.com');
    await page.reload();
    await page.getByLabel('Report title').waitFor();
    expect(await asked(page)).toBe(0);
    expect(await page.evaluate(() => Notification.permission)).toBe('default');

    const dialog = page.getByRole('alertdialog', { name: "You're about to be signed out" });
    await dialog.waitFor({ timeout: 15_000 });
    expect(await asked(page)).toBe(0);
    const notify = dialog.getByRole('button', { name: "Notify me before I'm signed out" });
    await expectAccessible(page, 'timeout warning with the notify button');
    await screenshot(page, 'timeout-warning-notify');
    await notify.click();
    await page.waitForFunction(() => (window as unknown as { __asked(): number }).__asked() === 1, undefined, { timeout: 3_000 });
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
