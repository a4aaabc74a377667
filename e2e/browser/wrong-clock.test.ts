import { describe, expect, it } from 'vitest';
import { appInBrowser, closeCleanly, createUser, newContext, signIn } from './support.ts';

// The warning is due 10 s after sign-in by the server's clock, the ending 10 s later.
const ENV = { SESSIOND_IDLE_TIMEOUT: '20s', SESSIOND_WARNING_BEFORE: '10s' };
const MIN = 60_000;

/**
 * A device whose clock is ten minutes off (issue #17). The SDK reads the server's time from its
 * answers, so the warning still comes at `warnAt` by the server's clock: neither at once (clock
 * ahead: every deadline looks long past, and the deadline check would loop), nor never (clock
 * behind: the session would end with no warning).
 */
describe('a device clock that is wrong', () => {
  const app = appInBrowser(ENV);

  for (const [label, offsetMs] of [['ten minutes ahead', 10 * MIN], ['ten minutes behind', -10 * MIN]] as const) {
    it(`warns at warnAt by the server's clock, with the clock ${label}, and does not loop`, async () => {
      const email = `clock${offsetMs > 0 ? 'ahead' : 'behind'}@example.com`;
      await createUser(app.server.url, email);
      const { context, page, problems } = await newContext(app.browser);
      // Time flows from there as usual: only the device's idea of "now" is off.
      await context.clock.install({ time: Date.now() + offsetMs });
      expect(Math.abs((await page.evaluate(() => Date.now())) - Date.now() - offsetMs)).toBeLessThan(5_000);

      const login = page.waitForResponse((r) => r.url().endsWith('/v1/login'));
      const checks: number[] = [];
      page.on('request', (r) => {
        if (r.url().endsWith('/v1/session') && r.method() === 'GET') checks.push(Date.now());
      });
      await signIn(page, app.server.url, email);
      const warnAt = Date.parse(((await (await login).json()) as { session: { warnAt: string } }).session.warnAt);

      const dialog = page.getByRole('alertdialog', { name: "You're about to be signed out" });
      await dialog.waitFor({ timeout: 15_000 });
      const shownAt = Date.now(); // the test's clock is the server's: same machine
      expect(shownAt).toBeGreaterThanOrEqual(warnAt - 500);
      expect(shownAt).toBeLessThan(warnAt + 2_000);
      // The countdown counts the server's remaining ten seconds, not ten minutes more or less.
      const countdown = (await dialog.locator('.countdown-line').textContent()) ?? '';
      expect(countdown).toMatch(/0:(0\d|1[01])\b/);
      // Status checks: the one confirming the sign-in's cookie, and the one asked before warning.
      expect(checks.length).toBeLessThanOrEqual(3);

      await dialog.getByRole('button', { name: 'Stay signed in' }).click();
      await dialog.waitFor({ state: 'detached', timeout: 3_000 });
      await page.waitForTimeout(1_500);
      expect(await dialog.count()).toBe(0);
      expect(checks.length).toBeLessThanOrEqual(3);
      await closeCleanly({ context, problems });
    }, 40_000);

    it(`a device clock changed mid-session (${label}): activity still reaches the server, and the warning comes at warnAt`, async () => {
      const email = `jump${offsetMs > 0 ? 'ahead' : 'behind'}@example.com`;
      await createUser(app.server.url, email);
      const { context, page, problems } = await newContext(app.browser);
      await context.clock.install({ time: Date.now() });
      await signIn(page, app.server.url, email);
      const warnAts: number[] = [];
      page.on('response', async (r) => {
        if (r.url().endsWith('/v1/session/extend') && r.ok()) warnAts.push(Date.parse(((await r.json()) as { session: { warnAt: string } }).session.warnAt));
      });
      // Someone (or a sync gone wrong) changes the clock; timers are not fired by it.
      await page.clock.setSystemTime(Date.now() + offsetMs);
      // Activity is sent at most every 5 s here (a 20 s idle timeout with a 10 s warning).
      const extended = page.waitForResponse((r) => r.url().endsWith('/v1/session/extend'), { timeout: 7_000 });
      await page.getByLabel('Report title').pressSequentially('Typed after the clock changed'); // real keys: activity
      await extended;
      // The typing's trailing activity may extend once more: the warning is due at the latest warnAt.
      const dialog = page.getByRole('alertdialog', { name: "You're about to be signed out" });
      await dialog.waitFor({ timeout: 20_000 });
      const warnAt = Math.max(...warnAts);
      expect(Date.now()).toBeGreaterThanOrEqual(warnAt - 500);
      expect(Date.now()).toBeLessThan(warnAt + 2_000);
      expect((await dialog.locator('.countdown-line').textContent()) ?? '').toMatch(/0:(0\d|1[01])\b/);
      await closeCleanly({ context, problems });
    }, 40_000);
  }
});
