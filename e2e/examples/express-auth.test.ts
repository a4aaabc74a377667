import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, ROOT, type ServerProcess } from '../harness.ts';
import { createUser, launchBrowser, newContext, PASSWORD, signIn, startApp } from '../browser/support.ts';

const ADMIN = 'express-example-admin-token-0123456789';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/** Starts examples/express-auth as a reader of the README would, and resolves with its address. */
async function startExample(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples/express-auth/index.js')], { env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`example did not start: ${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) (clearTimeout(timer), resolve(m[1]!));
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (c) => (clearTimeout(timer), reject(new Error(`example exited ${c}: ${out}`))));
  });
  return { url, child };
}

describe('examples/express-auth', () => {
  let sessiond: ServerProcess;
  let browser: Browser;
  let example: { url: string; child: ChildProcess };
  beforeAll(async () => {
    [sessiond, browser] = await Promise.all([startApp({ SESSIOND_ADMIN_TOKEN: ADMIN }), launchBrowser()]);
    const key = await new Client(sessiond.url, { authorization: `Bearer ${ADMIN}` }).post('/v1/admin/apps/web/keys', { label: 'express-auth', scopes: ['events:read'] });
    example = await startExample({ SESSIOND_URL: sessiond.url, SESSIOND_APP_KEY: key.json.secret });
  });
  afterAll(async () => {
    example?.child.kill('SIGTERM');
    await browser?.close();
    await sessiond?.stop();
  });

  it('signs in on its login form, reaches the restricted page, is refused within 1 s of a Log out on the Active sessions page, and says why', async () => {
    const email = 'express-example@example.com';
    await createUser(sessiond.url, email);
    // The person on their phone, in the Express app…
    const phone = await newContext(browser, { userAgent: SAFARI_IPHONE });
    await phone.page.goto(`${example.url}/restricted`);
    await phone.page.waitForURL(`${example.url}/login?next=%2Frestricted`);
    await phone.page.getByLabel('Email').fill(email);
    await phone.page.getByLabel('Password').fill(PASSWORD);
    await phone.page.getByRole('button', { name: 'Sign in' }).click();
    await phone.page.waitForURL(`${example.url}/restricted`);
    await phone.page.getByRole('heading', { name: 'Restricted area' }).waitFor();
    expect(await phone.page.getByText(`Signed in as ${email}`).count()).toBe(1);

    // …and on their computer, on sessiond's Active sessions page.
    const computer = await newContext(browser);
    await signIn(computer.page, sessiond.url, email);
    await computer.page.goto(`${sessiond.url}/settings/security/sessions`);
    await computer.page.getByRole('heading', { name: 'Active sessions', level: 1 }).waitFor();
    // One row per browser: the phone's is the one with a Log out of its own ("Log out Chrome on Linux").
    const logOutRow = computer.page.getByRole('button', { name: /^Log out .+ on / });
    const other = computer.page.getByRole('listitem').filter({ has: logOutRow });
    await expect.poll(() => other.count()).toBe(1);
    await other.getByRole('button', { name: /^Log out .+ on / }).click();
    await computer.page.getByRole('dialog', { name: /^Log out .+\?$/ }).getByRole('button', { name: 'Log out', exact: true }).click();
    const t0 = Date.now();
    await expect.poll(() => other.count(), { timeout: 2_000 }).toBe(0);

    // The phone's next page of the Express app is refused, and says why.
    let status = 200;
    while (status === 200 && Date.now() - t0 < 2_000) status = (await phone.page.reload())!.status();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(status).toBe(401);
    await phone.page.getByRole('heading', { name: 'You were signed out' }).waitFor();
    expect(await phone.page.getByRole('alert').textContent()).toMatch(/^You were signed out from another of your sessions/);

    // Signing in again brings the restricted page back.
    await phone.page.getByRole('link', { name: 'Sign in again' }).click();
    await phone.page.getByLabel('Email').fill(email);
    await phone.page.getByLabel('Password').fill(PASSWORD);
    await phone.page.getByRole('button', { name: 'Sign in' }).click();
    await phone.page.getByRole('heading', { name: 'Restricted area' }).waitFor();

    // Log out: back to the sign-in page with the reason, the app's other cookies untouched.
    await phone.context.addCookies([{ name: 'app_theme', value: 'dark', url: example.url }]);
    await phone.page.getByRole('button', { name: 'Log out' }).click();
    await phone.page.waitForURL(/\/login\?reason=logged_out$/);
    await phone.page.getByRole('status').getByText('You signed out').waitFor();
    const cookies = (await phone.context.cookies(example.url)).map((c) => c.name);
    expect(cookies).toEqual(['app_theme']);
    await phone.context.close();
    await computer.context.close();
  });

  it('a wrong password is told on the form (sessiond’s message), and no cookie is set', async () => {
    const r = await fetch(`${example.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=nobody%40example.com&password=wrong-password-here&next=%2Frestricted', redirect: 'manual' });
    expect(r.status).toBe(401);
    expect(await r.text()).toMatch(/role="alert">[^<]*(email|password)/i);
    expect(r.headers.get('set-cookie')).toBeNull();
    const cross = await fetch(`${example.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }, body: 'email=a%40b.c&password=x', redirect: 'manual' });
    expect(cross.status).toBe(403);
    // `next` never leaves the site.
    const page = await (await fetch(`${example.url}/login?next=//evil.example/`)).text();
    expect(page).toContain('name="next" value="/restricted"');
  });
});

/** A port nothing listens on now, for a process that must know its own address before it starts. */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('sessiond behind the app’s origin at /auth (SESSIOND_PUBLIC_URL with a path)', () => {
  let sessiond: ServerProcess;
  let browser: Browser;
  let example: { url: string; child: ChildProcess };
  let app: string;
  beforeAll(async () => {
    const port = await freePort();
    app = `http://127.0.0.1:${port}`;
    [sessiond, browser] = await Promise.all([startApp({ SESSIOND_ADMIN_TOKEN: ADMIN, SESSIOND_PUBLIC_URL: `${app}/auth`, SESSIOND_TRUST_PROXY: '1' }), launchBrowser()]);
    const key = await new Client(sessiond.url, { authorization: `Bearer ${ADMIN}` }).post('/v1/admin/apps/web/keys', { label: 'express-auth', scopes: ['events:read'] });
    example = await startExample({ PORT: String(port), SESSIOND_URL: sessiond.url, SESSIOND_APP_KEY: key.json.secret, SESSIOND_BEHIND_PATH: '/auth' });
  });
  afterAll(async () => {
    example?.child.kill('SIGTERM');
    await browser?.close();
    await sessiond?.stop();
  });

  it('signs in on sessiond’s own page under /auth, the app reads its cookie, the pages and their CSRF check work there', async () => {
    const email = 'behind@example.com';
    // Signing up straight at sessiond's own address: its origin is now the app's, so say so.
    expect((await new Client(sessiond.url).post('/v1/signup', { email, password: PASSWORD }, { origin: app })).status).toBe(201);
    const { context, page, problems } = await newContext(browser);
    await context.addCookies([{ name: 'app_theme', value: 'dark', url: app }]);
    await page.goto(`${app}/restricted`);
    await page.waitForURL(`${app}/auth/login?next=%2Frestricted`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back in the app, whose guard validates the cookie sessiond set on this origin (Path=/).
    await page.waitForURL(`${app}/restricted`);
    await page.getByRole('heading', { name: 'Restricted area' }).waitFor();
    const cookie = (await context.cookies(app)).find((c) => c.name === 'sessiond');
    expect(cookie).toMatchObject({ path: '/', httpOnly: true, sameSite: 'Lax' });

    // sessiond's pages under the prefix: assets, links, API calls and the push channel.
    await page.goto(`${app}/auth/settings/security/sessions`);
    await page.getByRole('heading', { name: 'Active sessions', level: 1 }).waitFor();
    await page.getByText('This browser').first().waitFor();
    expect(await page.getByRole('link', { name: 'Active sessions' }).getAttribute('href')).toBe('/auth/settings/security/sessions');
    await page.getByRole('link', { name: 'Expense report' }).click();
    await page.waitForURL(`${app}/auth/demo`);
    // The pages' notification service worker (SPEC §14) under the prefix too, at the scope the SDK
    // gives it (its own folder, not the pages'): the browser and the CSP let it register.
    expect(await page.evaluate(async () => (await navigator.serviceWorker.register('/auth/sessiond-sw.js', { scope: '/auth/sessiond-notifications/' })).scope)).toBe(`${app}/auth/sessiond-notifications/`);
    // A cookie-authenticated change from the page's origin passes the CSRF check; from another it does not.
    expect(await page.evaluate(async () => (await fetch('/auth/v1/session/extend', { method: 'POST' })).status)).toBe(200);
    const elsewhere = await fetch(`${app}/auth/v1/session/extend`, { method: 'POST', headers: { cookie: `sessiond=${cookie!.value}`, origin: 'http://evil.example' } });
    expect((await elsewhere.json()).error.code).toBe('csrf_failed');

    // Log out on sessiond's page: signed out, and the app's own cookies survive (no Clear-Site-Data).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/auth\/signed-out/);
    // sessiond's session cookie is gone; its browser cookie (no credential, SPEC §13) stays, as a
    // sign-out without Clear-Site-Data leaves it. Polled: the push channel's `logged_out` can move
    // the page to /signed-out before the sign-out's own answer, which clears the cookie, arrives.
    await expect.poll(async () => (await context.cookies(app)).map((c) => c.name).sort(), { timeout: 3_000 }).toEqual(['app_theme', 'sessiond_browser']);
    await page.goto(`${app}/restricted`);
    await page.waitForURL(`${app}/auth/login?next=%2Frestricted`);
    expect(problems).toEqual([]);
    await context.close();
    // The API reference too: its stylesheet and document are found under the prefix.
    const docs = await (await fetch(`${app}/auth/docs`)).text();
    const css = /<link rel="stylesheet" href="([^"]+)"/.exec(docs)![1]!;
    expect((await fetch(new URL(css, `${app}/auth/docs`))).headers.get('content-type')).toMatch(/text\/css/);
    expect((await fetch(new URL('openapi.json', `${app}/auth/docs`))).status).toBe(200);
  });
});
