import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appInBrowser, createUser, expectAccessible, newContext, screenshot, signIn } from './support.ts';

// The warning shows 10 s after the last activity and gives the 20 s WCAG 2.2.1 asks for.
const ENV = { SESSIOND_IDLE_TIMEOUT: '30s', SESSIOND_WARNING_BEFORE: '20s' };

/**
 * Headless Chromium keeps every page 'visible' (a second page brought to front, a minimised
 * window, CDP focus emulation and Page.setWebLifecycleState all left it so), so the page's
 * visibility is overridden here and `visibilitychange` fired by hand. Notification is wrapped to
 * record what the SDK constructs and to fire a notification's click: the system UI itself is not
 * observed. `androidLike`: the constructor throws as Chrome on Android's does (its permission and
 * requestPermission stay), so the SDK must go through its service worker.
 */
async function watchWarnings(context: BrowserContext, opts: { androidLike?: boolean } = {}): Promise<void> {
  await context.addInitScript((androidLike: boolean) => {
    let hidden = false;
    Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
    const w = window as unknown as Record<string, unknown>;
    w.__setHidden = (h: boolean) => {
      hidden = h;
      document.dispatchEvent(new Event('visibilitychange'));
    };
    const made: Array<{ title: string; body: string; tag: string; n: Notification }> = [];
    let asked = 0;
    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        if (androidLike) throw new TypeError("Failed to construct 'Notification': Illegal constructor. Use ServiceWorkerRegistration.showNotification() instead.");
        super(title, options);
        made.push({ title, body: options?.body ?? '', tag: options?.tag ?? '', n: this });
      }
      static override requestPermission(...args: Parameters<typeof Notification.requestPermission>) {
        asked++;
        return Real.requestPermission(...args);
      }
    }
    window.Notification = Recorded;
    w.__notifications = () => made.map(({ title, body, tag }) => ({ title, body, tag }));
    w.__asked = () => asked;
    w.__clickNotification = (i: number) => made[i]!.n.onclick?.call(made[i]!.n, new Event('click'));
  }, opts.androidLike === true);
}

interface Shown {
  title: string;
  body: string;
  tag: string;
}

const setHidden = (page: Page, hidden: boolean) => page.evaluate((h) => (window as unknown as { __setHidden(h: boolean): void }).__setHidden(h), hidden);
const notifications = (page: Page) => page.evaluate(() => (window as unknown as { __notifications(): Shown[] }).__notifications());
/** The SDK's worker's own scope, below the worker's directory (the top of the pages): it covers none of them. */
const WORKER_SCOPE = '/sessiond-notifications/';
/** What the service worker's registration shows (headless Chromium keeps them, though it draws none). */
const workerNotifications = (page: Page) =>
  page.evaluate(async (scope) => {
    const reg = await navigator.serviceWorker.getRegistration(scope);
    return reg ? (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag })) : [];
  }, WORKER_SCOPE);
const SENTENCE = /^You'll be signed out in (20 seconds|10 seconds|less than 10 seconds) — click to stay signed in$/;
/** The words for the title's countdown ("0:19" → 10 seconds), `lag` seconds earlier, as the notification must say them. */
const wordsFor = (title: string, lag = 0) => {
  const s = Number(/^Signing out in 0:(\d\d)/.exec(title)![1]) + lag;
  return s < 10 ? 'less than 10 seconds' : `${Math.floor(s / 10) * 10} seconds`;
};
const asked = (page: Page) => page.evaluate(() => (window as unknown as { __asked(): number }).__asked());

describe('a warning for a person looking elsewhere (SPEC §14)', () => {
  const app = appInBrowser(ENV);

  /** Signed in with notifications allowed and watched, on the demo page, which is then hidden. */
  const signedInThenHidden = async (email: string) => {
    await createUser(app.server.url, email);
    const { context, page, problems } = await newContext(app.browser);
    await context.grantPermissions(['notifications'], { origin: app.server.url });
    await watchWarnings(context);
    await signIn(page, app.server.url, email);
    await page.getByLabel('Report title').waitFor();
    const original = await page.title();
    expect(original).toBe('New expense report · sessiond');
    await setHidden(page, true);
    return { context, page, problems, original };
  };

  it('with the page hidden: the countdown in the title, a notification whose click stays signed in', async () => {
    const { context, page, problems, original } = await signedInThenHidden('hidden@example.com');

    const dialog = page.getByRole('alertdialog', { name: "You're about to be signed out" });
    await dialog.waitFor({ timeout: 15_000 });
    // Already allowed: nothing to ask.
    expect(await dialog.getByRole('button', { name: "Notify me before I'm signed out" }).count()).toBe(0);
    await page.waitForFunction((t) => /^Signing out in 0:\d\d · /.test(document.title) && document.title.endsWith(t), original, { timeout: 3_000 });
    const first = await page.title();
    // Updated each second.
    await page.waitForFunction((t) => document.title !== t && document.title.startsWith('Signing out in 0:'), first, { timeout: 2_500 });

    const shown = await notifications(page);
    expect(shown.length).toBeGreaterThanOrEqual(1);
    expect(shown[0]).toMatchObject({ title: original, tag: 'sessiond-timeout-warning' });
    expect(shown[0]!.body).toMatch(SENTENCE);

    // Its words follow the countdown in 10-s steps: re-shown under the same tag (which replaces it),
    // only when they change — not each second.
    await page.waitForFunction((n) => (window as unknown as { __notifications(): Shown[] }).__notifications().length > n, 1, { timeout: 11_000 });
    // Read together: the next tick moves both.
    const [title, updated] = await page.evaluate(() => [document.title, (window as unknown as { __notifications(): Shown[] }).__notifications()] as const);
    expect(updated.length).toBeLessThanOrEqual(3);
    expect(new Set(updated.map((n) => n.body)).size).toBe(updated.length);
    expect(updated.every((n) => n.tag === 'sessiond-timeout-warning' && SENTENCE.test(n.body))).toBe(true);
    expect(updated.at(-1)!.body).toContain(wordsFor(title));

    const extended = page.waitForResponse((r) => r.url().endsWith('/v1/session/extend') && r.request().method() === 'POST');
    await page.evaluate((i) => (window as unknown as { __clickNotification(i: number): void }).__clickNotification(i), updated.length - 1);
    expect((await extended).status()).toBe(200);
    await dialog.waitFor({ state: 'detached', timeout: 3_000 });
    expect(await page.title()).toBe(original);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('where pages may not construct a Notification (Chrome on Android): the service worker shows it, counting down, and its click stays signed in', async () => {
    await createUser(app.server.url, 'android@example.com');
    const { context, page, problems } = await newContext(app.browser);
    await context.grantPermissions(['notifications'], { origin: app.server.url });
    await watchWarnings(context, { androidLike: true });
    await signIn(page, app.server.url, 'android@example.com');
    // Loaded with a query and a fragment, which the notification must not keep, and which the
    // worker must see past to find this tab.
    await page.goto(`${app.server.url}/demo?report=e2e#total`);
    await page.getByLabel('Report title').waitFor();
    const original = await page.title();
    // Nothing registered before a notification is due.
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
    await setHidden(page, true);
    const dialog = page.getByRole('alertdialog', { name: "You're about to be signed out" });
    await dialog.waitFor({ timeout: 15_000 });

    await page.waitForFunction(async (scope) => ((await (await navigator.serviceWorker.getRegistration(scope))?.getNotifications()) ?? []).length > 0, WORKER_SCOPE, { timeout: 5_000 });
    const first = await workerNotifications(page);
    expect(first).toEqual([{ title: original, body: expect.stringMatching(SENTENCE), tag: 'sessiond-timeout-warning' }]);
    expect(await notifications(page)).toEqual([]); // the page's own constructor threw
    expect(await page.evaluate(async (scope) => (await (await navigator.serviceWorker.getRegistration(scope))!.getNotifications()).map((n) => n.data), WORKER_SCOPE)).toEqual([{ url: `${app.server.url}/demo` }]);
    // The pages' worker, served at the top of the pages and allowed by their CSP, under a scope of
    // its own: the pages' own scope (an app's root worker's, a PWA's) is left alone.
    expect(await page.evaluate(async () => {
      const regs = await navigator.serviceWorker.getRegistrations();
      return { regs: regs.map((r) => [r.active?.scriptURL, r.scope]), page: (await navigator.serviceWorker.getRegistration()) ?? null, controller: navigator.serviceWorker.controller };
    })).toEqual({ regs: [[`${app.server.url}/sessiond-sw.js`, `${app.server.url}${WORKER_SCOPE}`]], page: null, controller: null });

    // Counting down in the one notification the tag allows.
    await page.waitForFunction(async ([body, scope]) => {
      const shown = (await (await navigator.serviceWorker.getRegistration(scope))!.getNotifications());
      return shown.length === 1 && shown[0]!.body !== body;
    }, [first[0]!.body, WORKER_SCOPE] as const, { timeout: 11_000 });
    const [title, [counted]] = await Promise.all([page.title(), workerNotifications(page)]);
    expect(counted!.body).toMatch(SENTENCE);
    // The worker shows it asynchronously: it may still say what the previous second's title did.
    expect([wordsFor(title), wordsFor(title, 1)]).toContain(/in (.+) —/.exec(counted!.body)![1]);

    // A click on it. Headless Chromium draws no notification to click, so the browser's own
    // notificationclick is dispatched in the worker by hand: its handler runs as it would, except
    // that the browser refuses focus() (no real click) and waitUntil() (a script-made event), so
    // this proves the message to the tab and the stay, not the tab coming to the front.
    const worker = context.serviceWorkers().find((w) => w.url() === `${app.server.url}/sessiond-sw.js`)!;
    expect(worker).toBeDefined();
    const extended = page.waitForResponse((r) => r.url().endsWith('/v1/session/extend') && r.request().method() === 'POST');
    await worker.evaluate(async () => {
      const sw = self as unknown as { registration: ServiceWorkerRegistration; NotificationEvent: new (type: string, init: { notification: Notification }) => Event };
      const [notification] = await sw.registration.getNotifications({ tag: 'sessiond-timeout-warning' });
      self.dispatchEvent(new sw.NotificationEvent('notificationclick', { notification: notification! }));
    });
    expect((await extended).status()).toBe(200);
    await dialog.waitFor({ state: 'detached', timeout: 3_000 });
    expect(await workerNotifications(page)).toEqual([]);
    expect(await page.title()).toBe(original);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('restores the title when the page is visible again; the dialog gives 20 s and says what it shows', async () => {
    const { context, page, problems, original } = await signedInThenHidden('back@example.com');
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
    await createUser(app.server.url, 'ask@example.com');
    const { context, page, problems } = await newContext(app.browser);
    await watchWarnings(context);
    await signIn(page, app.server.url, 'ask@example.com');
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
