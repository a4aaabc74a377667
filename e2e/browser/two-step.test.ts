import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Client } from '../harness.ts';
import { appInBrowser, closeCleanly, createUser, expectAccessible, newContext, PASSWORD, screenshot, signIn } from './support.ts';

/**
 * How the recovery codes sit on the page: columns, codes sticking out of their notice, and groups
 * of four broken across lines (a code may wrap only after a dash).
 */
function codeLayout(page: Page): Promise<{ columns: number; overflowing: number; splitGroups: number }> {
  return page.evaluate(() => {
    const box = document.querySelector('.recovery-codes')!.closest('.notice')!.getBoundingClientRect();
    const codes = [...document.querySelectorAll('.recovery-codes code')];
    const lefts = new Set(codes.map((c) => Math.round(c.getBoundingClientRect().left)));
    const overflowing = codes.filter((c) => {
      const r = c.getBoundingClientRect();
      return r.left < box.left || r.right > box.right;
    }).length;
    let splitGroups = 0;
    for (const code of codes) {
      for (const node of code.childNodes) {
        if (node.nodeType !== Node.TEXT_NODE || node.textContent === '-') continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        if (range.getClientRects().length !== 1) splitGroups++;
      }
    }
    return { columns: lefts.size, overflowing, splitGroups };
  });
}

describe('two-step sign-in settings', () => {
  // A 5 s freshness window (long enough for the accessibility check and screenshot between confirming and turning on, on a busy machine) makes the page ask for the password again, as it would after 10 min.
  const app = appInBrowser({ SESSIOND_FRESHNESS: '5s' });

  it('sets up with a QR code after confirming the password, shows recovery codes, and the next sign-in asks for a code', async () => {
    const email = 'twostep@example.com';
    await createUser(app.server.url, email);
    const { context, page, problems } = await newContext(app.browser);
    await signIn(page, app.server.url, email);
    await page.goto(`${app.server.url}/settings/security/sessions`);
    await page.getByRole('heading', { name: 'Two-step sign-in' }).waitFor();
    await page.waitForTimeout(5200); // the sign-in is no longer fresh
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
    // What is shown (and copied) is the whole code, 24 Crockford base32 symbols in groups of four.
    const codes = await page.locator('.recovery-codes code').allTextContents();
    for (const c of codes) expect(c).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){5}$/);
    await expectAccessible(page, 'recovery codes');
    expect(await codeLayout(page)).toEqual({ columns: 2, overflowing: 0, splitGroups: 0 });
    await page.setViewportSize({ width: 360, height: 800 });
    expect(await codeLayout(page)).toMatchObject({ columns: 1, overflowing: 0, splitGroups: 0 });
    await closeCleanly({ context, problems });

    const r = await new Client(app.server.url).post('/v1/login', { email, password: PASSWORD });
    expect(r.json.error.code).toBe('totp_required');
    // A code as shown on the page signs in, once.
    expect((await new Client(app.server.url).post('/v1/login', { email, password: PASSWORD, totp: codes[0] })).status).toBe(200);
    expect((await new Client(app.server.url).post('/v1/login', { email, password: PASSWORD, totp: codes[0] })).status).toBe(401);
  });

  it('logging another session out after the sign-in went stale asks for the password, then does it', async () => {
    const email = 'stale@example.com';
    await createUser(app.server.url, email);
    const other = new Client(app.server.url);
    await other.post('/v1/login', { email, password: PASSWORD });
    const { context, page, problems } = await newContext(app.browser);
    await signIn(page, app.server.url, email);
    await page.goto(`${app.server.url}/settings/security/sessions`);
    await page.getByRole('heading', { name: '2 browsers and devices' }).waitFor();
    await page.waitForTimeout(5200);
    await page.getByRole('list').getByRole('button', { name: /^Log out / }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Log out', exact: true }).click();
    await page.getByText('confirm your password to log sessions out').waitFor();
    await expectAccessible(page, 'confirm password before logging out');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Confirm password' }).click();
    await page.getByRole('heading', { name: '1 browser or device' }).waitFor();
    expect((await other.get('/v1/session')).json.error.reason).toBe('revoked');
    await closeCleanly({ context, problems });
  });
});
