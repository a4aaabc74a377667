import { generate } from 'otplib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, type ServerProcess } from '../harness.ts';
import { createUser, expectAccessible, launchBrowser, newContext, PASSWORD, screenshot, signIn, startApp } from './support.ts';

describe('two-step sign-in settings', () => {
  let server: ServerProcess;
  let browser: Browser;
  beforeAll(async () => {
    // A 2 s freshness window makes the page ask for the password again, as it would after 10 min.
    [server, browser] = await Promise.all([startApp({ SESSIOND_FRESHNESS: '2s' }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('sets up with a QR code after confirming the password, shows recovery codes, and the next sign-in asks for a code', async () => {
    const email = 'twostep@example.com';
    await createUser(server.url, email);
    const { context, page, problems } = await newContext(browser);
    await signIn(page, server.url, email);
    await page.goto(`${server.url}/settings/security/sessions`);
    await page.getByRole('heading', { name: 'Two-step sign-in' }).waitFor();
    await page.waitForTimeout(2200); // the sign-in is no longer fresh
    await page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    await page.getByText('confirm your password').waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Confirm password' }).click();
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor();
    await expectAccessible(page, 'two-step set-up');
    await screenshot(page, 'two-step-setup', true);
    const secret = (await page.locator('.two-step code').first().textContent())!.trim();
    await page.getByLabel('Authentication code').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await page.getByText('Keep these recovery codes somewhere safe').waitFor();
    expect(await page.locator('.recovery-codes li').count()).toBe(10);
    expect(problems).toEqual([]);
    await context.close();

    const r = await new Client(server.url).post('/v1/login', { email, password: PASSWORD });
    expect(r.json.error.code).toBe('totp_required');
  });

  it('logging another session out after the sign-in went stale asks for the password, then does it', async () => {
    const email = 'stale@example.com';
    await createUser(server.url, email);
    const other = new Client(server.url);
    await other.post('/v1/login', { email, password: PASSWORD });
    const { context, page, problems } = await newContext(browser);
    await signIn(page, server.url, email);
    await page.goto(`${server.url}/settings/security/sessions`);
    await page.getByRole('heading', { name: '2 sessions' }).waitFor();
    await page.waitForTimeout(2200);
    await page.getByRole('list').getByRole('button', { name: 'Log out', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Log out', exact: true }).click();
    await page.getByText('confirm your password to log sessions out').waitFor();
    await expectAccessible(page, 'confirm password before logging out');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Confirm password' }).click();
    await page.getByRole('heading', { name: '1 session' }).waitFor();
    expect((await other.get('/v1/session')).json.error.reason).toBe('revoked');
    expect(problems).toEqual([]);
    await context.close();
  });
});
