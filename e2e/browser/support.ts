import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { Client, ROOT, startServer, type ServerProcess } from '../harness.ts';

export const PASSWORD = 'correct horse battery staple';
export const SCREENSHOTS = join(ROOT, 'docs/screenshots');
const WEB = join(ROOT, 'packages/web');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
}

/** Debian's Chromium, as CI installs it (`apt-get install chromium`). */
export function launchBrowser(opts: { backForwardCache?: boolean } = {}): Promise<Browser> {
  requireChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    // Playwright turns the back/forward cache off; a test of what a restored page shows needs it.
    ...(opts.backForwardCache ? { ignoreDefaultArgs: ['--disable-back-forward-cache'] } : {}),
    args: CHROMIUM_ARGS,
  });
}

/** Chromium on a profile folder written before launch (its own settings), as `VIEWER`. */
export function launchWithProfile(profile: string): Promise<BrowserContext> {
  requireChromium();
  return chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, ...VIEWER });
}

/**
 * Chromium with cookies blocked for `url`: its own per-site setting (chrome://settings/content/siteData
 * › "Not allowed to save data on your device"), in a profile written before launch: the browser
 * refuses the cookie itself (and this site's localStorage with it); nothing is stripped on the way.
 */
export async function blockingCookiesFor(url: string): Promise<{ context: BrowserContext; page: Page; problems: string[]; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'sessiond-blocked-'));
  mkdirSync(join(profile, 'Default'));
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { content_settings: { exceptions: { cookies: { [`${url},*`]: { setting: 2 } } } } } }));
  const context = await launchWithProfile(profile);
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(8_000);
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, problems: watchPageProblems(page), close };
}

/** The per-browser steps of a browser-side cause (BrowserCauseHelp): one line each for these. */
export async function expectSteps(scope: Page | Locator): Promise<void> {
  for (const name of ['Chrome:', 'Firefox:', 'Safari:', 'Edge:']) await scope.getByText(name, { exact: true }).waitFor();
}

/** A viewer in Paris who reads British English: dates must follow them, not the server. */
export const VIEWER: BrowserContextOptions = { locale: 'en-GB', timezoneId: 'Europe/Paris', viewport: { width: 1120, height: 800 } };

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * The server serves the pages Vite builds from packages/web into packages/server/pages; rebuild
 * them when the sources are newer, so a test never runs against stale pages. A directory lock keeps two test workers from building at once.
 */
export async function ensureWebBuilt(): Promise<void> {
  const lock = join(WEB, '.build-lock');
  const index = join(ROOT, 'packages/server/pages/index.html');
  const stale = () => !existsSync(index) || statSync(index).mtimeMs < Math.max(newestMtime(join(WEB, 'src')), newestMtime(join(ROOT, 'packages/sdk/src')), newestMtime(join(ROOT, 'packages/sdk/service-worker')), statSync(join(WEB, 'index.html')).mtimeMs);
  for (;;) {
    if (!stale()) return;
    try {
      mkdirSync(lock);
    } catch {
      // Another worker is building: a lock older than a minute was left by a crash.
      if (Date.now() - statSync(lock).mtimeMs > 60_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (stale()) {
        const { build } = await import('vite');
        await build({ root: WEB, logLevel: 'warn' });
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

export async function startApp(env: Record<string, string> = {}): Promise<ServerProcess> {
  await ensureWebBuilt();
  const server = await startServer(env);
  // Fail in a second with the reason, rather than in thirty with a locator timeout.
  const page = await fetch(`${server.url}/login`);
  if (page.status !== 200) {
    await server.stop();
    throw new Error(`GET /login answered ${page.status}: the server does not serve packages/server/pages (${(await page.text()).slice(0, 120)})`);
  }
  return server;
}

/** The app's server and Chromium, shared by a describe block's tests: read them inside the tests. */
export interface AppInBrowser {
  readonly server: ServerProcess;
  readonly browser: Browser;
}

/** Starts the app's server (with `env`) and Chromium before the block's tests, and stops both after. */
export function appInBrowser(env: Record<string, string> = {}): AppInBrowser {
  const app = {} as { server: ServerProcess; browser: Browser };
  beforeAll(async () => {
    [app.server, app.browser] = await Promise.all([startApp(env), launchBrowser()]);
  });
  afterAll(async () => {
    await app.browser?.close();
    await app.server?.stop();
  });
  return app;
}

/** Creates an account through the API (the UI path is covered by its own test). */
export async function createUser(url: string, email: string): Promise<void> {
  const res = await new Client(url).post('/v1/signup', { email, password: PASSWORD });
  expect(res.status, res.text).toBe(201);
}

/** Fills in and sends a sign-in form: the sign-in page's, or the in-place dialog's (`scope`). */
export async function submitSignIn(scope: Page | Locator, email: string, opts: { password?: string; rememberMe?: boolean } = {}): Promise<void> {
  await scope.getByLabel('Email').fill(email);
  await scope.getByLabel('Password').fill(opts.password ?? PASSWORD);
  if (opts.rememberMe) await scope.getByLabel('Keep me signed in').check();
  await scope.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in through the sign-in page and waits for the demo app. */
export async function signIn(page: Page, url: string, email: string, opts: { rememberMe?: boolean; next?: string } = {}): Promise<void> {
  await page.goto(`${url}/login${opts.next ? `?next=${encodeURIComponent(opts.next)}` : ''}`);
  await submitSignIn(page, email, opts);
  await page.waitForURL(`${url}${opts.next ?? '/demo'}`);
}

/**
 * Signs `email` in on another device and logs out from there the session that is not that
 * device's (the one a test's page holds): as a person does from Active sessions on their phone.
 * Returns the phone, still signed in.
 */
export async function logOutFromAnotherDevice(url: string, email: string, userAgent?: string): Promise<Client> {
  const phone = new Client(url, userAgent ? { 'user-agent': userAgent } : {});
  await phone.post('/v1/login', { email, password: PASSWORD });
  const { json } = await phone.get('/v1/sessions');
  const target = json.sessions.find((s: { current: boolean }) => !s.current);
  expect((await phone.delete(`/v1/sessions/${target.id}`)).status).toBe(204);
  return phone;
}

/**
 * Fails on anything the page's CSP refused (inline style or script would be), and on uncaught
 * errors. Returns the list so a test can assert at the end.
 */
export function watchPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }>;
}

/** Runs axe-core (WCAG 2.x A/AA and best practices) on the page as it is now; expects nothing found. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  // Mid-animation colours are not the page's colours: wait for dialogs to finish appearing.
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<unknown> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  const violations = (result as AxeResult).violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  expect(violations, `axe on ${what}`).toEqual([]);
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Let entrance animations finish so the picture shows the resting state.
  await page.waitForTimeout(250);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage, animations: 'disabled', caret: 'hide' });
}

/** What every browser test ends with: nothing refused or thrown on its pages, then their contexts closed. */
export async function closeCleanly(...opened: Array<{ context: BrowserContext; problems: string[] }>): Promise<void> {
  for (const o of opened) {
    expect(o.problems).toEqual([]);
    await o.context.close();
  }
}

export async function newContext(browser: Browser, extra: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ ...VIEWER, ...extra });
  const page = await context.newPage();
  return { context, page, problems: watchPageProblems(page) };
}
