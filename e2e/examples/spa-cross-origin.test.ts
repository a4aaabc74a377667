import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../harness.ts';
import { createUser, launchBrowser, newContext, PASSWORD } from '../browser/support.ts';

/** A blank page on an origin of its own: the SPA's host, whose script calls sessiond on another origin. */
async function spaHost(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>SPA</title>'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** What the SPA's code would do: a fetch to sessiond with the cookie (credentials: 'include'). */
const call = (page: Page, url: string, method = 'GET', body?: unknown) =>
  page.evaluate(
    async ([url, method, body]) => {
      try {
        const res = await fetch(url as string, { method: method as string, credentials: 'include', headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : null });
        return { status: res.status, json: await res.json().catch(() => null) };
      } catch (e) {
        return { status: 0, error: String(e) };
      }
    },
    [url, method, body] as const,
  );

/** sessiond on its own origin, an SPA on another with its origin registered (SPEC §9 `origins`). */
describe('an SPA on another origin, cookie mode, CORS with credentials', () => {
  let sessiond: ServerProcess;
  let browser: Browser;
  let spa: { origin: string; server: Server };
  let stranger: { origin: string; server: Server };
  beforeAll(async () => {
    [spa, stranger] = await Promise.all([spaHost(), spaHost()]);
    const config = join(mkdtempSync(join(tmpdir(), 'sessiond-spa-')), 'sessiond.json');
    writeFileSync(config, JSON.stringify({ apps: { web: { origins: [spa.origin] } } }));
    [sessiond, browser] = await Promise.all([startServer({ SESSIOND_CONFIG: config }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await sessiond?.stop();
    spa?.server.close();
    stranger?.server.close();
  });

  it('signs in, reads the session and extends it from the registered origin; another origin can do none of it', async () => {
    const email = 'spa@example.com';
    await createUser(sessiond.url, email);
    const { page } = await newContext(browser);
    await page.goto(spa.origin);
    const login = await call(page, `${sessiond.url}/v1/login`, 'POST', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    // The cookie is HttpOnly: the SPA never sees it, the browser sends it.
    expect(JSON.stringify(login.json)).toContain('"session"');
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await call(page, `${sessiond.url}/v1/session`)).toMatchObject({ status: 200, json: { user: { email } } });
    expect((await call(page, `${sessiond.url}/v1/session/extend`, 'POST', {})).status).toBe(200);

    // The same browser, on an origin that is not registered: no CORS answer, so nothing is read.
    await page.goto(stranger.origin);
    const read = await call(page, `${sessiond.url}/v1/session`);
    expect(read).toMatchObject({ status: 0, error: expect.stringMatching(/Failed to fetch/) });
    // And a change it sends anyway (a form post cannot be stopped by CORS) is refused by the CSRF check.
    const forged = await page.evaluate(async (url) => {
      await fetch(url, { method: 'POST', credentials: 'include', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{}' });
    }, `${sessiond.url}/v1/sessions/revoke-all`);
    expect(forged).toBeUndefined();
    await page.goto(spa.origin);
    expect((await call(page, `${sessiond.url}/v1/session`)).status).toBe(200);
  });
});
