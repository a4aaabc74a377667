import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Client } from '../harness.ts';
import { appInBrowser, closeCleanly, createUser, expectAccessible, newContext, screenshot, signIn } from './support.ts';

const ADMIN = 'admin-token-for-browser-tests-0123456789';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

const row = (page: Page, label: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: label, exact: true }) });

describe('Active sessions page', () => {
  // Trusting X-Forwarded-For lets each browser context come from a different city.
  const app = appInBrowser({ SESSIOND_ADMIN_TOKEN: ADMIN, SESSIOND_TRUST_PROXY: '1', SESSIOND_APPS: 'web,desktop,mobile' });

  it('lists every session, logs out others with a confirmation, and the other browser learns why within a second', async () => {
    const email = 'lin@example.com';
    await createUser(app.server.url, email);
    // This viewer, in Paris, on a trusted device.
    const a = await newContext(app.browser, { extraHTTPHeaders: { 'x-forwarded-for': '90.84.0.1' } });
    // Another computer in London, and a trusted Mac in Berlin.
    const b = await newContext(app.browser, { userAgent: FIREFOX_WINDOWS, extraHTTPHeaders: { 'x-forwarded-for': '81.2.69.142' } });
    const c = await newContext(app.browser, { userAgent: SAFARI_MAC, extraHTTPHeaders: { 'x-forwarded-for': '85.214.132.117' } });
    const requests: Array<{ url: string; passive: string | undefined }> = [];
    a.page.on('request', (r) => requests.push({ url: r.url(), passive: r.headers()['x-sessiond-passive'] }));
    await signIn(a.page, app.server.url, email, { rememberMe: true });
    await signIn(b.page, app.server.url, email);
    await signIn(c.page, app.server.url, email, { rememberMe: true });
    // And the phone app, started by the operator's own backend.
    const admin = new Client(app.server.url, { authorization: `Bearer ${ADMIN}` });
    const userId = await a.page.evaluate(async () => ((await (await fetch('/v1/session', { headers: { 'x-sessiond-passive': '1' } })).json()) as { user: { id: string } }).user.id);
    await admin.post('/v1/admin/sessions', { userId, app: 'mobile', ip: '8.8.8.8', userAgent: SAFARI_IPHONE });

    await a.page.getByRole('link', { name: 'Active sessions' }).click();
    await a.page.getByRole('heading', { name: 'Active sessions', level: 1 }).waitFor();
    await a.page.getByRole('heading', { name: 'Safari on iOS' }).waitFor();

    const rows = a.page.getByRole('listitem').filter({ has: a.page.getByRole('heading', { level: 3 }) });
    expect(await rows.count()).toBe(4);
    // The current session comes first, is marked, and cannot be logged out from here.
    const current = rows.first();
    await current.getByText('This browser').waitFor();
    expect(await current.getByText('Trusted device').count()).toBe(1);
    expect(await current.getByRole('button', { name: 'Log out' }).count()).toBe(0);
    expect(await current.textContent()).toContain('Paris, France');

    const london = row(a.page, 'Firefox on Windows');
    const text = (await london.textContent()) ?? '';
    expect(text).toContain('London, United Kingdom');
    expect(text).toContain('Web');
    expect(text).toContain('Active now');
    expect(await london.getByText('Trusted device').count()).toBe(0);
    // "Signed in" in the viewer's locale and time zone (en-GB, Paris), not the server's.
    const { json: list } = await b.page.evaluate(async () => ({ json: (await (await fetch('/v1/sessions', { headers: { 'x-sessiond-passive': '1' } })).json()) as { sessions: Array<{ current: boolean; createdAt: string }> } }));
    const createdAt = list.sessions.find((s) => s.current)!.createdAt;
    expect(text).toContain(new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(new Date(createdAt)));
    expect(await row(a.page, 'Safari on iOS').textContent()).toContain('Mobile app');
    expect(await row(a.page, 'Safari on macOS').getByText('Trusted device').count()).toBe(1);
    await expectAccessible(a.page, 'Active sessions');
    await screenshot(a.page, 'active-sessions', true);

    // Log out the London computer: a confirmation first, then the row leaves at once.
    await london.getByRole('button', { name: 'Log out Firefox on Windows' }).click();
    const confirm = a.page.getByRole('dialog', { name: 'Log out Firefox on Windows?' });
    await confirm.waitFor();
    expect(await confirm.getByRole('button', { name: 'Log out and remove' }).count()).toBe(0);
    await expectAccessible(a.page, 'log-out confirmation');
    const clickedAt = Date.now();
    await confirm.getByRole('button', { name: 'Log out', exact: true }).click();
    await london.waitFor({ state: 'detached', timeout: 500 });
    // The London browser is told, within a second, why — with its page still there.
    const told = b.page.getByRole('dialog', { name: 'Sign in to continue' });
    await told.getByText(/You were signed out from another of your sessions/).waitFor({ timeout: 1_000 });
    expect(Date.now() - clickedAt).toBeLessThan(1_000);
    expect(await told.textContent()).toContain('(Chrome on Linux)');
    await expectAccessible(b.page, 'sign in again after being logged out elsewhere');
    await screenshot(b.page, 'logged-out-elsewhere');

    // A trusted device can also be forgotten.
    const berlin = row(a.page, 'Safari on macOS');
    await berlin.getByRole('button', { name: 'Log out Safari on macOS' }).click();
    const trusted = a.page.getByRole('dialog', { name: 'Log out Safari on macOS?' });
    await trusted.getByText('This is a trusted device.').waitFor();
    // Focus starts on the harmless choice.
    expect(await trusted.getByRole('button', { name: 'Cancel' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await screenshot(a.page, 'active-sessions-log-out-trusted');
    // One request ends the browser's sessions and untrusts it.
    const forget = a.page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/v1/sessions/revoke-browser'));
    await trusted.getByRole('button', { name: 'Log out and remove' }).click();
    await forget;
    await c.page.getByRole('dialog', { name: 'Sign in to continue' }).waitFor({ timeout: 1_000 });
    expect(await a.page.getByText('Trusted device', { exact: true }).count()).toBe(1); // only this browser's own

    // Background work never counted as activity.
    const background = requests.filter((r) => /\/v1\/session(\/events)?$/.test(new URL(r.url).pathname));
    expect(background.length).toBeGreaterThan(0);
    expect(background.filter((r) => r.passive !== '1')).toEqual([]);

    // Log out of all sessions, this one included.
    await a.page.getByRole('button', { name: 'Log out of all sessions' }).click();
    const all = a.page.getByRole('dialog', { name: 'Log out of all devices' });
    await all.waitFor();
    await expectAccessible(a.page, 'log out of all devices');
    await screenshot(a.page, 'active-sessions-log-out-all');
    await all.getByRole('button', { name: 'Log out of all devices' }).click();
    await a.page.waitForURL(`${app.server.url}/signed-out?reason=revoked_all`);
    await a.page.getByText(/^You signed out of all sessions/).waitFor();
    const phone = await admin.get(`/v1/admin/users/${userId}/sessions`);
    expect(phone.json.sessions.length).toBe(0);
    await closeCleanly(a, b, c);
  });

  it('moves the list when another tab logs a session out', async () => {
    const email = 'tabs@example.com';
    await createUser(app.server.url, email);
    const a = await newContext(app.browser);
    const other = await newContext(app.browser, { userAgent: FIREFOX_WINDOWS });
    await signIn(a.page, app.server.url, email);
    await signIn(other.page, app.server.url, email);
    const second = await a.context.newPage();
    for (const p of [a.page, second]) {
      await p.goto(`${app.server.url}/settings/security/sessions`);
      await row(p, 'Firefox on Windows').waitFor();
    }
    await a.page.bringToFront();
    await row(a.page, 'Firefox on Windows').getByRole('button', { name: 'Log out' }).click();
    await a.page.getByRole('dialog').getByRole('button', { name: 'Log out', exact: true }).click();
    // The second tab hears it over BroadcastChannel and refreshes (passively).
    await row(second, 'Firefox on Windows').waitFor({ state: 'detached', timeout: 2_000 });
    await a.context.close();
    await other.context.close();
  });
});
