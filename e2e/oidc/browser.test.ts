import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_CAUSE_MESSAGES } from '@sessiond/sdk';
import { blockingCookiesFor, ensureWebBuilt, expectAccessible, expectSteps, launchBrowser, newContext, screenshot } from '../browser/support.ts';
import { startOidcWorld, type OidcWorld } from './setup.ts';

describe('SSO in the browser (SPEC §15)', () => {
  let w: OidcWorld;
  let browser: Browser;
  beforeAll(async () => {
    await ensureWebBuilt();
    [w, browser] = await Promise.all([startOidcWorld({}, { SESSIOND_FRESHNESS: '2s' }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await w?.stop();
  });

  /** A new browser signed in as `login` through Acme's login page, on Active sessions. */
  const signInAs = async (login: string) => {
    const c = await newContext(browser);
    await c.page.goto(`${w.url}/login?next=/settings/security/sessions`);
    await c.page.getByRole('link', { name: 'Sign in with Acme SSO' }).click();
    await c.page.getByPlaceholder('Enter any login').fill(login);
    await c.page.getByPlaceholder('and password').fill('whatever');
    await c.page.getByRole('button', { name: 'Sign-in' }).click();
    await c.page.getByRole('button', { name: 'Continue' }).click();
    await c.page.getByRole('heading', { name: 'Active sessions', level: 1 }).waitFor();
    return c;
  };

  it('signs in through the provider, shows the SSO session, and the tab learns within a second when the provider signs the person out', async () => {
    const { context, page, problems } = await newContext(browser);
    await page.goto(`${w.url}/login?next=/settings/security/sessions`);
    const button = page.getByRole('link', { name: 'Sign in with Acme SSO' });
    await button.waitFor();
    await page.getByRole('link', { name: 'Sign in with Beta ID' }).waitFor();
    await expectAccessible(page, 'sign-in page with SSO');
    await button.click();

    // The provider's own login page (oidc-provider's development interactions), then its consent.
    await page.waitForURL((u) => u.origin === w.acme.issuer);
    await page.getByPlaceholder('Enter any login').fill('olivia');
    await page.getByPlaceholder('and password').fill('whatever');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL(`${w.url}/settings/security/sessions`);
    await page.getByRole('heading', { name: 'Active sessions', level: 1 }).waitFor();
    const current = page.getByRole('listitem').filter({ hasText: 'This browser' });
    await current.getByText('Signed in with Acme SSO').waitFor();
    await expectAccessible(page, 'Active sessions with an SSO session');
    await screenshot(page, 'active-sessions-sso');

    // The person signs out at the provider in another tab; the provider tells sessiond itself.
    const providerTab = await context.newPage();
    await providerTab.goto(`${w.acme.issuer}/session/end`);
    const before = w.acme.backchannel.length;
    await providerTab.getByRole('button', { name: 'Yes, sign me out' }).click();
    const told = page.getByRole('dialog', { name: 'Sign in to continue' });
    // The provider's page round trip is not ours to time: the bound is from sessiond's 200 to the tab.
    await told.getByText("Your organisation's sign-in (Acme SSO) signed you out.").waitFor({ timeout: 5_000 });
    const shownAt = Date.now();
    const sent = w.acme.backchannel.slice(before);
    expect(sent).toMatchObject([{ ok: true }]);
    expect(shownAt - sent[0]!.at).toBeLessThan(1_000);
    // Signing in again goes through the provider from the dialog too.
    await told.getByRole('link', { name: 'Sign in with Acme SSO' }).waitFor();
    await expectAccessible(page, 'the sso_logout dialog');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a person who cancels at the provider is back on the sign-in page, told so, with both ways to sign in', async () => {
    const { context, page, problems } = await newContext(browser);
    await page.goto(`${w.url}/login?next=/settings/security/sessions`);
    await page.getByRole('link', { name: 'Sign in with Acme SSO' }).click();
    await page.waitForURL((u) => u.origin === w.acme.issuer);
    await page.getByRole('link', { name: '[ Cancel ]' }).click();
    await page.waitForURL(`${w.url}/login?sso=cancelled&provider=acme&next=%2Fsettings%2Fsecurity%2Fsessions`);
    await page.getByText('You cancelled the sign-in with Acme SSO. Try it again, or sign in with your email and password.').waitFor();
    await page.getByRole('link', { name: 'Sign in with Acme SSO' }).waitFor();
    await page.getByLabel('Password').waitFor();
    await expectAccessible(page, 'sign-in after cancelling at the provider');
    await screenshot(page, 'sign-in-sso-cancelled');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('with cookies blocked for the site, signing in with the provider says the browser blocks them, with the steps, instead of "try again" in a loop (issue #17)', async () => {
    // Chromium's own per-site block for sessiond's origin (the provider's origin keeps its cookies):
    // the flow cookie the start sets is refused, so the callback gets no cookie of this site back.
    const { page, problems, close } = await blockingCookiesFor(w.url);
    try {
      await page.goto(`${w.url}/login?next=/settings/security/sessions`);
      // Chromium still says cookies are enabled: the page cannot tell by itself.
      expect(await page.evaluate(() => navigator.cookieEnabled)).toBe(true);
      await page.getByRole('link', { name: 'Sign in with Acme SSO' }).click();
      await page.waitForURL((u) => u.origin === w.acme.issuer);
      await page.getByPlaceholder('Enter any login').fill('quinn');
      await page.getByPlaceholder('and password').fill('whatever');
      await page.getByRole('button', { name: 'Sign-in' }).click();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(`${w.url}/login?sso=cookies_blocked&provider=acme`);
      await page.getByText(BROWSER_CAUSE_MESSAGES.cookies_blocked, { exact: true }).waitFor();
      const help = page.getByRole('region', { name: 'How to allow cookies for this site' });
      await expectSteps(help);
      expect(await page.getByText(/could not be completed|Please try again/).count()).toBe(0);
      // Both ways to sign in are still there, once cookies are allowed.
      await page.getByRole('link', { name: 'Sign in with Acme SSO' }).waitFor();
      await page.getByLabel('Password').waitFor();
      await expectAccessible(page, 'sign-in after SSO with cookies blocked');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('step-up on the Active sessions page goes through the provider for an SSO session', async () => {
    const other = await signInAs('pablo');
    const me = await signInAs('pablo');
    await me.page.reload();
    await me.page.getByRole('listitem').filter({ hasNotText: 'This browser' }).getByRole('button', { name: /^Log out .+ on / }).waitFor();
    // Past SESSIOND_FRESHNESS (2 s here): ending a session asks for a fresh sign-in, at the provider.
    await me.page.waitForTimeout(2_100);
    await me.page.getByRole('listitem').filter({ hasNotText: 'This browser' }).getByRole('button', { name: /^Log out .+ on / }).click();
    await me.page.getByRole('dialog', { name: /^Log out .+\?$/ }).getByRole('button', { name: 'Log out', exact: true }).click();
    const confirm = me.page.getByRole('link', { name: 'Confirm with Acme SSO' });
    await confirm.waitFor();
    await confirm.click();
    // prompt=login: the provider asks again even though its session is alive.
    await me.page.getByPlaceholder('and password').fill('whatever');
    await me.page.getByPlaceholder('Enter any login').fill('pablo');
    await me.page.getByRole('button', { name: 'Sign-in' }).click();
    await me.page.waitForURL(`${w.url}/settings/security/sessions`);
    await me.page.getByRole('listitem').filter({ hasNotText: 'This browser' }).getByRole('button', { name: /^Log out .+ on / }).click();
    await me.page.getByRole('dialog', { name: /^Log out .+\?$/ }).getByRole('button', { name: 'Log out', exact: true }).click();
    await other.page.getByRole('dialog', { name: 'Sign in to continue' }).getByText(/signed out from another of your sessions/).waitFor({ timeout: 2_000 });
    expect(me.problems).toEqual([]);
    await Promise.all([me.context.close(), other.context.close()]);
  });

  it('a person who cancels a step-up at the provider is back on Active sessions, still signed in, told nothing was changed', async () => {
    const { context, page, problems } = await signInAs('rosa');
    // Past SESSIOND_FRESHNESS (2 s here): changing a factor asks for a fresh sign-in, at the provider.
    await page.waitForTimeout(2_100);
    const section = page.getByRole('region', { name: 'Two-step sign-in' });
    await section.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    await section.getByRole('link', { name: 'Confirm with Acme SSO' }).click();
    await page.waitForURL((u) => u.origin === w.acme.issuer);
    await page.getByRole('link', { name: '[ Cancel ]' }).click();

    await page.waitForURL(`${w.url}/settings/security/sessions?stepup=cancelled`, { timeout: 5_000 });
    await page.getByRole('heading', { name: 'Active sessions', level: 1 }).waitFor();
    await page.getByRole('status').getByText('You cancelled the confirmation with Acme SSO; nothing was changed.', { exact: true }).waitFor();
    await page.getByRole('listitem').filter({ hasText: 'This browser' }).getByText('Signed in with Acme SSO').waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    await expectAccessible(page, 'Active sessions after cancelling a step-up at the provider');
    await screenshot(page, 'active-sessions-stepup-cancelled');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('turning on two-step sign-in from an SSO session confirms the person at the provider, not with a password', async () => {
    const { context, page, problems } = await signInAs('quinn');
    // Past SESSIOND_FRESHNESS (2 s here): changing a factor asks for a fresh sign-in.
    await page.waitForTimeout(2_100);
    const section = page.getByRole('region', { name: 'Two-step sign-in' });
    await section.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    await section.getByText('For your security, confirm it is you at Acme SSO to change two-step sign-in; then try again.').waitFor();
    expect(await section.getByLabel('Password').count()).toBe(0);
    await expectAccessible(page, 'two-step step-up through the provider');
    await section.getByRole('link', { name: 'Confirm with Acme SSO' }).click();
    await page.getByPlaceholder('Enter any login').fill('quinn');
    await page.getByPlaceholder('and password').fill('whatever');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.waitForURL(`${w.url}/settings/security/sessions`);
    await section.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    await section.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });
});
