import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { Client } from '../harness.ts';
import { appInBrowser, closeCleanly, createUser, expectAccessible, newContext, PASSWORD, screenshot, submitSignIn } from './support.ts';

describe('sign-up and sign-in pages', () => {
  const app = appInBrowser({ SESSIOND_IDLE_TIMEOUT: '30m' });

  it('signs up, lands in the demo app, signs out and signs in again', async () => {
    const { context, page, problems } = await newContext(app.browser);
    await page.goto(`${app.server.url}/signup`);
    await expect.poll(() => page.title()).toBe('Create your account · sessiond');
    await expectAccessible(page, 'sign-up');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await screenshot(page, 'signup');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${app.server.url}/demo`);
    await page.getByRole('heading', { name: 'New expense report' }).waitFor();
    expect(await page.getByText('ada@example.com').isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${app.server.url}/signed-out?reason=logged_out`);
    await page.getByRole('heading', { name: "You're signed out" }).waitFor();
    await page.getByText('You signed out.').waitFor();
    await expectAccessible(page, 'signed-out');
    await screenshot(page, 'signed-out');

    await page.getByRole('link', { name: 'Sign in again' }).click();
    await page.waitForURL(`${app.server.url}/login`);
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: /not correct|invalid|incorrect/i }).waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${app.server.url}/demo`);
    await closeCleanly({ context, problems });
  });

  it('shows the sign-in page with its hint, and why the person was signed out', async () => {
    const { context, page, problems } = await newContext(app.browser);
    await page.goto(`${app.server.url}/login`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('not on shared or public computers').waitFor();
    const keep = page.getByLabel('Keep me signed in');
    expect(await keep.getAttribute('aria-describedby')).toBeTruthy();
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');

    // The server's wording, with its configured 30 minutes filled in.
    await page.goto(`${app.server.url}/login?reason=idle_timeout`);
    await page.getByText('You were signed out after 30 minutes without activity.').waitFor();
    await expectAccessible(page, 'sign-in after an ending');
    await screenshot(page, 'sign-in-after-timeout');

    // Nothing else than a path on this site is followed after sign-in.
    await createUser(app.server.url, 'grace@example.com');
    await page.goto(`${app.server.url}/login?next=${encodeURIComponent('//evil.example/')}`);
    await submitSignIn(page, 'grace@example.com');
    await page.waitForURL(`${app.server.url}/demo`);
    await closeCleanly({ context, problems });
    // Nor what the browser would read as another site: it drops the tab, leaving `//evil.example`.
    const other = await newContext(app.browser);
    await other.page.goto(`${app.server.url}/login?next=${encodeURIComponent('/\t/evil.example/')}`);
    await submitSignIn(other.page, 'grace@example.com');
    await other.page.waitForURL(`${app.server.url}/demo`, { timeout: 10_000 });
    await other.context.close();
  });

  it('asks for the authentication code when the account has two-step sign-in', async () => {
    const email = 'totp@example.com';
    const api = new Client(app.server.url);
    await api.post('/v1/signup', { email, password: PASSWORD });
    await api.post('/v1/login', { email, password: PASSWORD });
    const { json: setup } = await api.post('/v1/totp/setup');
    expect((await api.post('/v1/totp/enable', { code: await generate({ secret: setup.secret }) })).status).toBe(200);

    const { context, page, problems } = await newContext(app.browser);
    const logins: string[] = [];
    page.on('request', (r) => r.url().endsWith('/v1/login') && logins.push(r.postData() ?? ''));
    await page.goto(`${app.server.url}/login`);
    await submitSignIn(page, email);
    const code = page.getByLabel('Authentication code');
    await code.waitFor();
    expect(await code.evaluate((el) => el === document.activeElement)).toBe(true);
    await expectAccessible(page, 'two-step sign-in');
    await screenshot(page, 'sign-in-code');
    // The enabling code used this 30-second step; codes are accepted once, so use the next one.
    await code.fill(await generate({ secret: setup.secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${app.server.url}/demo`);
    expect(JSON.parse(logins.at(-1)!)).toMatchObject({ email, totp: expect.stringMatching(/^\d{6}$/) });
    await closeCleanly({ context, problems });
  });

  it('sends a signed-out visitor of a signed-in page to sign in, then back', async () => {
    const { context, page } = await newContext(app.browser);
    await page.goto(`${app.server.url}/settings/security/sessions`);
    await page.waitForURL(/\/login\?next=/);
    await createUser(app.server.url, 'back@example.com');
    await submitSignIn(page, 'back@example.com');
    await page.waitForURL(`${app.server.url}/settings/security/sessions`);
    await page.getByRole('heading', { name: 'Active sessions' }).waitFor();
    await context.close();
  });
});
