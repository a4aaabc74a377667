import { describe, expect, it } from 'vitest';
import { Client } from '../harness.ts';
import { appInBrowser, closeCleanly, createUser, expectAccessible, newContext, PASSWORD, screenshot, signIn, submitSignIn } from './support.ts';

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** The person's own security view (SPEC §13) on the Active sessions page. */
describe('security view: recent activity', () => {
  const app = appInBrowser({ SESSIOND_TRUST_PROXY: '1' });

  it('lists sign-ins, a session logged out from here and why, and failed sign-ins with a count and a place', async () => {
    const email = 'history@example.com';
    await createUser(app.server.url, email);
    // Three wrong passwords from London.
    const stranger = new Client(app.server.url, { 'x-forwarded-for': '81.2.69.142', 'user-agent': FIREFOX_WINDOWS });
    for (let i = 0; i < 3; i++) expect((await stranger.post('/v1/login', { email, password: `not-it-${i}` })).status).toBe(401);
    const other = await newContext(app.browser, { userAgent: FIREFOX_WINDOWS });
    const a = await newContext(app.browser, { extraHTTPHeaders: { 'x-forwarded-for': '90.84.0.1' } });
    await signIn(other.page, app.server.url, email);
    // The same Firefox also signs in to the desktop app (its cookie now names that session).
    expect(await other.page.evaluate(async (email) => (await fetch('/v1/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery staple', app: 'desktop' }) })).status, email)).toBe(200);
    await signIn(a.page, app.server.url, email);
    await a.page.goto(`${app.server.url}/settings/security/sessions`);
    // One row per browser, listing its apps; this browser's row says so and has no Log out.
    await a.page.getByRole('heading', { name: '2 browsers and devices' }).waitFor();
    const here = a.page.getByRole('listitem').filter({ has: a.page.getByRole('heading', { name: 'Chrome on Linux', exact: true }) });
    await here.getByText('This browser').waitFor();
    expect(await here.getByRole('button').count()).toBe(0);
    const firefoxRow = a.page.getByRole('listitem').filter({ has: a.page.getByRole('heading', { name: 'Firefox on Windows', exact: true }) });
    await firefoxRow.getByText('Web, Desktop app').waitFor();
    expect(await firefoxRow.getByText('First seen').count()).toBe(1);
    expect(await firefoxRow.textContent()).toContain('127.0.0.1');
    // The header's own button signs this browser out; rows say which browser they log out.
    expect(await a.page.getByRole('banner').getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    await screenshot(a.page, 'active-sessions-browsers', true);
    const activity = a.page.getByRole('region', { name: 'Recent activity' });
    await activity.getByText('3 failed sign-in attempts near London, United Kingdom (Firefox on Windows)').waitFor();
    await activity.getByText('Signed in on a new device: Firefox on Windows (Web)').waitFor();
    await activity.getByText('Signed in on Firefox on Windows (Desktop app)').waitFor();

    await firefoxRow.getByRole('button', { name: 'Log out Firefox on Windows' }).click();
    const confirm = a.page.getByRole('dialog', { name: 'Log out Firefox on Windows?' });
    await confirm.getByText('all 2 of its sessions').waitFor();
    await confirm.getByRole('button', { name: 'Log out', exact: true }).click();
    await firefoxRow.waitFor({ state: 'detached', timeout: 1_000 });
    // Both of its sessions ended, and the section follows at once: each ending, with who ended it.
    await activity.getByText('Signed out from Firefox on Windows (Web) — you logged it out from Chrome on Linux').waitFor({ timeout: 2_000 });
    await activity.getByText('Signed out from Firefox on Windows (Desktop app) — you logged it out from Chrome on Linux').waitFor();
    await other.page.getByRole('dialog', { name: 'Sign in to continue' }).waitFor({ timeout: 2_000 });
    expect(await activity.getByText(PASSWORD).count()).toBe(0);
    await expectAccessible(a.page, 'recent activity');
    await activity.scrollIntoViewIfNeeded();
    await screenshot(a.page, 'active-sessions-recent-activity', true);
    await closeCleanly(a, other);
  });

  it('"Log out of other sessions" ends every other browser and keeps this one', async () => {
    const email = 'others@example.com';
    await createUser(app.server.url, email);
    const [a, b, c] = [await newContext(app.browser), await newContext(app.browser, { userAgent: FIREFOX_WINDOWS }), await newContext(app.browser, { userAgent: FIREFOX_WINDOWS })];
    for (const ctx of [b, c, a]) await signIn(ctx.page, app.server.url, email);
    await a.page.goto(`${app.server.url}/settings/security/sessions`);
    await a.page.getByRole('heading', { name: '3 browsers and devices' }).waitFor();
    await a.page.getByRole('button', { name: 'Log out of other sessions' }).click();
    const confirm = a.page.getByRole('dialog', { name: 'Log out of other sessions?' });
    await confirm.getByText('This browser stays signed in.').waitFor();
    await expectAccessible(a.page, 'log out of other sessions');
    await confirm.getByRole('button', { name: 'Log out of other sessions' }).click();
    await a.page.getByRole('heading', { name: '1 browser or device' }).waitFor();
    for (const ctx of [b, c]) await ctx.page.getByRole('dialog', { name: 'Sign in to continue' }).waitFor({ timeout: 2_000 });
    expect(await a.page.getByRole('heading', { name: 'Active sessions', level: 1 }).isVisible()).toBe(true);
    await closeCleanly(a, b, c);
  });

  it('a mistyped page address answers a page with a link to sign in for a browser, and JSON for an API client', async () => {
    const { context, page, problems } = await newContext(app.browser);
    const res = await page.goto(`${app.server.url}/signin`);
    expect(res!.status()).toBe(404);
    expect(res!.headers()['content-type']).toMatch(/^text\/html/);
    expect(res!.headers()['content-security-policy']).toContain("default-src 'self'");
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await expectAccessible(page, 'page not found');
    await screenshot(page, 'page-not-found');
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
    await context.close();
    // API clients, and the API's own paths even from a browser, keep the JSON answer.
    for (const [path, accept] of [['/signin', 'application/json'], ['/signin', '*/*'], ['/v1/nope', 'text/html']] as const) {
      const r = await fetch(`${app.server.url}${path}`, { headers: { accept } });
      expect(r.status).toBe(404);
      expect((await r.json()).error.code).toBe('not_found');
    }
  });
});

describe('sign-in page: a choice at the device limit', () => {
  const app = appInBrowser({ SESSIOND_MAX_SESSIONS: '1', SESSIOND_ON_MAX_SESSIONS: 'choose' });

  it('lists the sessions in the way; choosing one signs it out (it is told why) and signs in here without the password again', async () => {
    const email = 'limit@example.com';
    await createUser(app.server.url, email);
    const other = await newContext(app.browser, { userAgent: FIREFOX_WINDOWS });
    await signIn(other.page, app.server.url, email);
    const a = await newContext(app.browser);
    await a.page.goto(`${app.server.url}/login`);
    await submitSignIn(a.page, email);
    await a.page.getByRole('heading', { name: 'Choose a device to sign out' }).waitFor();
    await a.page.getByText("You're signed in on 1 device, the most this app allows. Choose one to sign out, and you will be signed in here.").waitFor();
    const choices = a.page.getByRole('list').getByRole('listitem');
    expect(await choices.count()).toBe(1);
    expect(await choices.first().textContent()).toContain('Firefox on Windows');
    await expectAccessible(a.page, 'choose a device to sign out');
    await screenshot(a.page, 'sign-in-choose-device');
    await a.page.getByRole('button', { name: 'Sign out Firefox on Windows and sign in here' }).click();
    await a.page.waitForURL(`${app.server.url}/demo`);
    const told = other.page.getByRole('dialog', { name: 'Sign in to continue' });
    await told.getByText(/Chrome on Linux/).waitFor({ timeout: 2_000 });
    await closeCleanly(a, other);
  });
});
