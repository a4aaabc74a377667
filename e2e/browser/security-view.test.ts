import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, type ServerProcess } from '../harness.ts';
import { createUser, expectAccessible, launchBrowser, newContext, PASSWORD, screenshot, signIn, startApp } from './support.ts';

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** The person's own security view (SPEC §13) on the Active sessions page. */
describe('security view: recent activity', () => {
  let server: ServerProcess;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startApp({ SESSIOND_TRUST_PROXY: '1' }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists sign-ins, a session logged out from here and why, and failed sign-ins with a count and a place', async () => {
    const email = 'history@example.com';
    await createUser(server.url, email);
    // Three wrong passwords from London.
    const stranger = new Client(server.url, { 'x-forwarded-for': '81.2.69.142', 'user-agent': FIREFOX_WINDOWS });
    for (let i = 0; i < 3; i++) expect((await stranger.post('/v1/login', { email, password: `not-it-${i}` })).status).toBe(401);
    const other = await newContext(browser, { userAgent: FIREFOX_WINDOWS });
    const a = await newContext(browser, { extraHTTPHeaders: { 'x-forwarded-for': '90.84.0.1' } });
    await signIn(other.page, server.url, email);
    await signIn(a.page, server.url, email);
    await a.page.goto(`${server.url}/settings/security/sessions`);
    const activity = a.page.getByRole('region', { name: 'Recent activity' });
    await activity.getByText('3 failed sign-in attempts near London, United Kingdom (Firefox on Windows)').waitFor();
    await activity.getByText('Signed in on Firefox on Windows (Web)').waitFor();

    const firefox = a.page.getByRole('listitem').filter({ has: a.page.getByRole('heading', { name: 'Firefox on Windows', exact: true }) });
    await firefox.getByRole('button', { name: /^Log out/ }).click();
    await a.page.getByRole('dialog').getByRole('button', { name: 'Log out', exact: true }).click();
    // The section follows at once: the ending, with who ended it.
    await activity.getByText('Signed out from Firefox on Windows (Web) — you logged it out from Chrome on Linux').waitFor({ timeout: 2_000 });
    expect(await activity.getByText(PASSWORD).count()).toBe(0);
    await expectAccessible(a.page, 'recent activity');
    await activity.scrollIntoViewIfNeeded();
    await screenshot(a.page, 'active-sessions-recent-activity', true);
    for (const ctx of [a, other]) {
      expect(ctx.problems).toEqual([]);
      await ctx.context.close();
    }
  });
});
