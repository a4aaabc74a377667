import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { BROWSER_CAUSE_MESSAGES, BROWSER_CAUSES, END_REASONS } from '@sessiond/sdk';
import { Client } from '../harness.ts';
import { appInBrowser, blockingCookiesFor, closeCleanly, createUser, expectAccessible, expectSteps, launchBrowser, newContext, PASSWORD, screenshot, signIn, submitSignIn } from './support.ts';

/**
 * Endings the server cannot see (issue #17): the browser dropped, blocked or mangled the cookie,
 * the network went away, the device clock is wrong, the page came back from history. Each one in
 * Chromium, checked by what the person sees.
 */

const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';
const REVOKED = 'You were signed out from another of your sessions (Chrome on Android).';

/** A page whose locators fail in 8 s with what they waited for, inside the test's 30 s. */
async function open(browser: Browser, extra: Parameters<typeof newContext>[1] = {}) {
  const opened = await newContext(browser, extra);
  opened.page.setDefaultTimeout(8_000);
  return opened;
}

async function startReport(page: Page, title: string): Promise<void> {
  await page.getByLabel('Report title').fill(title);
  await page.getByLabel('Cost center').fill('CC-4410');
  await page.getByLabel('Trip start').fill('2026-11-16');
  await page.getByLabel('Trip end').fill('2026-11-17');
  await page.getByLabel('Business purpose').fill('Workshop with the Lyon team.');
  await page.getByLabel('Date').first().fill('2026-11-16');
  await page.getByLabel('Description').first().fill('Train Paris–Lyon');
  await page.getByLabel('Category').first().selectOption('Travel');
  await page.getByLabel('Amount').first().fill('74.50');
}

/** Ends every other session of `email` from a phone, as a person would from Active sessions. */
async function revokeFromPhone(url: string, email: string): Promise<void> {
  const phone = new Client(url, { 'user-agent': ANDROID_CHROME });
  await phone.post('/v1/login', { email, password: PASSWORD });
  const { json } = await phone.post('/v1/sessions/revoke-others', {});
  expect(json.ended).toBeGreaterThan(0);
}

const BLOCKED = "Your browser is blocking this site's sign-in cookie, so you cannot stay signed in. Allow cookies for this site, then sign in again.";

describe('endings the server cannot see', () => {
  const app = appInBrowser();

  it('the signed-out page and the sign-in page carry every reason and every browser-side cause', async () => {
    const { context, page, problems } = await open(app.browser);
    const told: Array<[string, string]> = [];
    for (const reason of END_REASONS) {
      const { json } = await new Client(app.server.url).get(`/v1/reasons/${reason}`);
      told.push([reason, json.message as string]);
    }
    for (const cause of BROWSER_CAUSES) told.push([cause, BROWSER_CAUSE_MESSAGES[cause]]);
    for (const [reason, message] of told) {
      await page.goto(`${app.server.url}/signed-out?reason=${reason}`);
      await page.getByRole('heading', { name: "You're signed out" }).waitFor();
      await page.getByText(message, { exact: true }).waitFor();
      await page.goto(`${app.server.url}/login?reason=${reason}`);
      await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
      await page.getByText(message, { exact: true }).waitFor();
      if (reason === 'cookies_removed' || reason === 'cookies_blocked') await expectSteps(page);
    }
    await closeCleanly({ context, problems });
  });

  it('cookies blocked for the site: the sign-in says so, with the steps for each browser, instead of looping', async () => {
    const email = 'blocked@example.com';
    await createUser(app.server.url, email);
    const { context, page, problems, close } = await blockingCookiesFor(app.server.url);
    try {
      await page.goto(`${app.server.url}/login`);
      expect(await page.evaluate(() => {
        try {
          return typeof localStorage.length;
        } catch (e) {
          return (e as Error).name;
        }
      })).toBe('SecurityError');
      await submitSignIn(page, email);
      await page.getByRole('alert').getByText(BLOCKED).waitFor();
      await page.getByRole('heading', { name: 'How to allow cookies for this site' }).waitFor();
      await expectSteps(page);
      await page.waitForTimeout(500);
      expect(page.url()).toBe(`${app.server.url}/login`);
      expect(await context.cookies()).toEqual([]);
      await expectAccessible(page, 'cookies blocked');
      await screenshot(page, 'sign-in-cookies-blocked', true);
      // The session that sign-in started, which no browser can use, was ended.
      const admin = await new Client(app.server.url).post('/v1/login', { email, password: PASSWORD });
      const { json } = await new Client(app.server.url, { authorization: `Bearer ${admin.json.token}` }).get('/v1/sessions');
      expect(json.sessions).toHaveLength(1);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('a network drop mid-form is not an ending: back online, still signed in, nothing lost', async () => {
    const email = 'offline@example.com';
    await createUser(app.server.url, email);
    const { context, page, problems } = await open(app.browser);
    await signIn(page, app.server.url, email);
    await startReport(page, 'Lyon workshop');

    await context.setOffline(true);
    await page.getByLabel('Notes (optional)').fill('Typed on the train, without a network.');
    await page.getByRole('button', { name: 'Submit report' }).click();
    await page.getByText('Could not reach the server. Check your connection and try again. Your draft is still saved in this browser.').waitFor();
    // Let the SDK's offline retries (status checks, push reconnects) run: none of them is an ending.
    await page.waitForTimeout(2_000);
    expect(await page.getByRole('dialog', { name: 'Sign in to continue' }).count()).toBe(0);

    // What was typed offline is activity the server has not heard of: it goes out once back online
    // (not at the next 30 s tick), so the idle deadline counts from it.
    const extended = page.waitForRequest((r) => r.url().endsWith('/v1/session/extend'), { timeout: 3_000 });
    await context.setOffline(false);
    await extended;
    await page.waitForTimeout(1_000);
    expect(await page.getByRole('dialog', { name: 'Sign in to continue' }).count()).toBe(0);
    expect(page.url()).toBe(`${app.server.url}/demo`);
    expect(await page.getByLabel('Report title').inputValue()).toBe('Lyon workshop');
    expect(await page.getByLabel('Notes (optional)').inputValue()).toBe('Typed on the train, without a network.');
    await page.getByRole('button', { name: 'Submit report' }).click();
    await page.getByText('Report “Lyon workshop” was submitted.', { exact: false }).waitFor();
    await closeCleanly({ context, problems });
  });

  it('a session that ended while the network was down says why once it is back, and keeps the form', async () => {
    const email = 'offline-ended@example.com';
    await createUser(app.server.url, email);
    const { context, page, problems } = await open(app.browser);
    // Chromium's offline mode leaves an open event stream alone (the ending would arrive on it
    // "offline"); without the push channel the page can only learn of it from the network.
    await page.route('**/v1/session/events', (route) => route.abort());
    await signIn(page, app.server.url, email);
    await startReport(page, 'Offline then revoked');
    await context.setOffline(true);
    await page.waitForTimeout(300);
    await revokeFromPhone(app.server.url, email);
    await page.getByLabel('Notes (optional)').fill('Still offline.');
    await page.waitForTimeout(1_000);
    const dialog = page.getByRole('dialog', { name: 'Sign in to continue' });
    expect(await dialog.count()).toBe(0);

    await context.setOffline(false);
    await dialog.getByText(REVOKED).waitFor();
    await submitSignIn(dialog, email);
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByLabel('Report title').inputValue()).toBe('Offline then revoked');
    expect(await page.getByLabel('Notes (optional)').inputValue()).toBe('Still offline.');
    await closeCleanly({ context, problems });
  });

  it('cookies cleared mid-session: the in-place sign-in says the browser removed them, and how to keep them', async () => {
    const email = 'cleared@example.com';
    await createUser(app.server.url, email);
    const { context, page, problems } = await open(app.browser);
    await signIn(page, app.server.url, email);
    await startReport(page, 'Cleared cookies');
    const marker = await (await page.waitForFunction(() => localStorage.getItem('sessiond:marker:web'))).jsonValue();
    // Who (a hash, not the email) and until when; nothing that signs anyone in.
    expect(JSON.parse(marker!)).toEqual({ who: expect.stringMatching(/^[A-Za-z0-9+/]{22}$/), until: expect.any(Number), kept: false });
    expect(marker).not.toContain(email);

    await context.clearCookies();
    await page.getByRole('button', { name: 'Submit report' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign in to continue' });
    await dialog.getByText("You were signed out because this browser removed this site's cookies before your session was over", { exact: false }).waitFor();
    await dialog.getByRole('heading', { name: 'How to keep this site’s cookies' }).waitFor();
    await expectSteps(dialog);
    await expectAccessible(page, 'cookies removed, in place');
    await screenshot(page, 'cookies-removed-in-place');

    await submitSignIn(dialog, email);
    // The held report goes through once signed in again.
    await page.getByText('Report “Cleared cookies” was submitted.', { exact: false }).waitFor();
    await closeCleanly({ context, problems });
  });

  it('cookies removed while the browser was closed: the sign-in page says so', async () => {
    const email = 'restart@example.com';
    await createUser(app.server.url, email);
    const { context, page, problems } = await open(app.browser);
    // "Keep me signed in": the cookie was meant to outlive the browser.
    await signIn(page, app.server.url, email, { rememberMe: true });
    await page.waitForFunction(() => localStorage.getItem('sessiond:marker:web') !== null);
    // As a browser set to delete cookies on closing does: localStorage stays, the cookie goes.
    await context.clearCookies();
    await page.goto(`${app.server.url}/demo`);
    await page.waitForURL(`${app.server.url}/login?reason=cookies_removed&next=%2Fdemo`);
    await page.getByText("You were signed out because this browser removed this site's cookies before your session was over", { exact: false }).waitFor();
    await expectSteps(page);
    await expectAccessible(page, 'sign-in after cookies removed');
    await screenshot(page, 'sign-in-after-cookies-removed');

    // Without "Keep me signed in" the cookie goes with the browser by design: said as such.
    await signIn(page, app.server.url, email);
    // The marker is written after the page loads; clearing before it lands would leave nothing to infer from.
    await page.waitForFunction(() => JSON.parse(localStorage.getItem('sessiond:marker:web') ?? '{}').kept === false);
    await context.clearCookies();
    await page.goto(`${app.server.url}/demo`);
    await page.waitForURL(`${app.server.url}/login?reason=browser_closed&next=%2Fdemo`);
    await page.getByText('You were signed out because the browser was probably closed: without "Keep me signed in", your sign-in lasts only until the browser closes.', { exact: false }).waitFor();
    expect(await page.getByText('Chrome:', { exact: true }).count()).toBe(0);
    await screenshot(page, 'sign-in-after-browser-closed');

    // Without a marker (never signed in here, or the session's time was up) nothing is claimed.
    const fresh = await open(app.browser);
    await fresh.page.goto(`${app.server.url}/demo`);
    await fresh.page.waitForURL(`${app.server.url}/login?next=%2Fdemo`);
    expect(await fresh.page.getByText('removed this site', { exact: false }).count()).toBe(0);
    expect(problems).toEqual([]);
    await fresh.context.close();
    await context.close();
  });

  it('a damaged cookie gets its own message, and the server clears it', async () => {
    const email = 'damaged@example.com';
    await createUser(app.server.url, email);
    const { context, page, problems } = await open(app.browser);
    await signIn(page, app.server.url, email);
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'sessiond');
    // Leave first: a live page would present the damaged cookie first, and be the one told.
    await page.goto('about:blank');
    // Cut short, as a full cookie jar or a rewriting extension leaves it.
    await context.addCookies([{ ...cookie!, value: cookie!.value.slice(0, 30) }]);
    await page.goto(`${app.server.url}/demo`);
    await page.waitForURL(`${app.server.url}/login?reason=cookie_damaged&next=%2Fdemo`);
    await page.getByText('Your sign-in information in this browser was damaged, so it could not be used. It has been removed: sign in again to continue.').waitFor();
    expect((await context.cookies()).filter((c) => c.name === 'sessiond')).toEqual([]);
    await expectAccessible(page, 'sign-in after a damaged cookie');
    await screenshot(page, 'sign-in-after-damaged-cookie');

    await submitSignIn(page, email);
    await page.waitForURL(`${app.server.url}/demo`);
    await closeCleanly({ context, problems });
  });

  it('back to a page the session ended under, restored from the back/forward cache: its reason, the form as it was, sent once after signing in', async () => {
    const email = 'history@example.com';
    await createUser(app.server.url, email);
    const withCache = await launchBrowser({ backForwardCache: true });
    const { page, problems } = await open(withCache);
    await signIn(page, app.server.url, email);
    await startReport(page, 'Back and forth');
    await page.evaluate(() => addEventListener('pageshow', (e) => ((window as unknown as { restored: boolean }).restored = e.persisted)));

    await page.goto(`${app.server.url}/healthz`);
    await revokeFromPhone(app.server.url, email);
    // A restored page fires pageshow, not load.
    await page.goBack({ waitUntil: 'commit' });
    await page.waitForFunction(() => (window as unknown as { restored?: boolean }).restored === true);
    const dialog = page.getByRole('dialog', { name: 'Sign in to continue' });
    await dialog.getByText(REVOKED).waitFor({ timeout: 3_000 });
    expect(await page.getByLabel('Report title').inputValue()).toBe('Back and forth');

    await submitSignIn(dialog, email);
    await dialog.waitFor({ state: 'detached' });
    // The form submitted again from the page history came back with.
    await page.getByRole('button', { name: 'Submit report' }).click();
    await page.getByText('Report “Back and forth” was submitted.', { exact: false }).waitFor();
    expect(problems).toEqual([]);
    await withCache.close();
  });

  it('back to a page the session ended under, loaded afresh: its reason on the sign-in page, then the draft', async () => {
    const email = 'history-reload@example.com';
    await createUser(app.server.url, email);
    const { context, page, problems } = await open(app.browser); // Playwright's default: no back/forward cache
    await signIn(page, app.server.url, email);
    await startReport(page, 'Back and reloaded');
    await page.waitForTimeout(600); // the draft's debounce
    await page.goto(`${app.server.url}/healthz`);
    await revokeFromPhone(app.server.url, email);
    await page.goBack();
    await page.waitForURL(`${app.server.url}/login?reason=revoked&next=%2Fdemo`);
    await page.getByText(REVOKED).waitFor();
    await submitSignIn(page, email);
    await page.waitForURL(`${app.server.url}/demo`);
    await page.getByText(/We restored your unsaved draft from/).waitFor();
    expect(await page.getByLabel('Report title').inputValue()).toBe('Back and reloaded');
    await closeCleanly({ context, problems });
  });
});

describe('cookies blocked at the device limit', () => {
  const app = appInBrowser({ SESSIOND_MAX_SESSIONS: '1', SESSIOND_ON_MAX_SESSIONS: 'choose' });

  it('choosing a device to sign out, with cookies blocked: the sign-in says the browser blocks them, and the other device stays signed in', async () => {
    const email = 'blocked-at-limit@example.com';
    await createUser(app.server.url, email);
    const phone = new Client(app.server.url, { 'user-agent': ANDROID_CHROME });
    expect((await phone.post('/v1/login', { email, password: PASSWORD })).status).toBe(200);
    const { page, problems, close } = await blockingCookiesFor(app.server.url);
    try {
      await page.goto(`${app.server.url}/login`);
      await submitSignIn(page, email);
      await page.getByRole('heading', { name: 'Choose a device to sign out' }).waitFor();
      // The question's browser cookie never comes back: choosing would be refused as "expired",
      // and signing in again would ask the same question, over and over.
      await page.getByRole('button', { name: 'Sign out Chrome on Android and sign in here' }).click();
      await page.getByRole('alert').getByText(BLOCKED).waitFor();
      await page.getByRole('heading', { name: 'How to allow cookies for this site' }).waitFor();
      await expectSteps(page);
      expect(await page.getByRole('heading', { name: 'Choose a device to sign out' }).count()).toBe(0);
      expect(page.url()).toBe(`${app.server.url}/login`);
      // Refused before anything was ended: the phone is still signed in.
      expect((await phone.get('/v1/session')).status).toBe(200);
      await expectAccessible(page, 'cookies blocked at the device limit');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});
