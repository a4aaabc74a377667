import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../harness.ts';
import { ensureWebBuilt, launchBrowser, PASSWORD } from '../browser/support.ts';

/**
 * Every package sessiond publishes, as `npm pack` makes it, installed into a plain-JavaScript
 * project in a temporary folder outside the repository and used there with plain `node`: no
 * TypeScript loader, no "sessiond:source" condition, nothing found through the monorepo.
 * To publish a new package, add its workspace name here and its tsconfig.build.json to the root
 * tsconfig.build.json.
 */
const PACKAGES = [
  '@sessiond/contract',
  '@sessiond/core',
  '@sessiond/store-memory',
  '@sessiond/store-sqlite',
  '@sessiond/store-redis',
  '@sessiond/store-postgres',
  '@sessiond/server',
  '@sessiond/verifier',
  '@sessiond/node',
  '@sessiond/sdk',
];

interface Packed {
  name: string;
  filename: string;
  files: { path: string }[];
}

/** The test's processes get none of vitest's NODE_OPTIONS (the source condition) nor npm's own variables. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_OPTIONS' || k.startsWith('npm_') || k.startsWith('SESSIOND_') || k.startsWith('VITEST')) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  const r = spawnSync(cmd, args, { cwd, env: cleanEnv(env), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('the packed packages, installed outside the repository', () => {
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'sessiond-pack-')));
  const app = join(scratch, 'app');
  const tarballs = join(scratch, 'tarballs');
  let packed: Packed[] = [];
  let server: ChildProcess | null = null;
  let serverOutput = '';
  let base = '';
  let pageOrigin = '';

  beforeAll(async () => {
    expect(scratch.startsWith(realpathSync(ROOT)), `the scratch project ${scratch} must be outside the repository`).toBe(false);
    // The build is incremental: after `npm test`'s own build this only checks it is current.
    run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], ROOT);
    await ensureWebBuilt();
    mkdirSync(tarballs);
    // Scripts are skipped: prepack would only rebuild what was just built.
    packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tarballs, ...PACKAGES.flatMap((p) => ['-w', p])], ROOT));

    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }, null, 2));
    // better-sqlite3's install step downloads a prebuilt binary or compiles one (minutes); this
    // machine reaches no download host. So scripts are skipped and the binding this repository's
    // install compiled, for this same Node, is put in place; everything else is as npm installs it.
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...packed.map((p) => join(tarballs, p.filename))], app);
    const version = (dir: string) => JSON.parse(readFileSync(join(dir, 'node_modules/better-sqlite3/package.json'), 'utf8')).version as string;
    expect(version(app), 'better-sqlite3 in the scratch project is the one the repository compiled').toBe(version(ROOT));
    const binding = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
    mkdirSync(join(app, 'node_modules/better-sqlite3/build/Release'), { recursive: true });
    copyFileSync(join(ROOT, binding), join(app, binding));

    const port = await freePort();
    pageOrigin = `http://127.0.0.1:${await freePort()}`;
    base = `http://127.0.0.1:${port}`;
    // The SDK page below is on its own origin, registered for the app "web" (CORS).
    writeFileSync(join(app, 'sessiond.json'), JSON.stringify({ apps: { web: { origins: [pageOrigin] } } }));
    server = spawn(join(app, 'node_modules/.bin/sessiond'), ['serve'], {
      cwd: app,
      env: cleanEnv({ PORT: String(port), HOST: '127.0.0.1', SESSIOND_PUBLIC_URL: base, SESSIOND_CONFIG: './sessiond.json', SESSIOND_LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (d: Buffer) => (serverOutput += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (serverOutput += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the installed server did not start:\n${serverOutput}`)), 30_000);
      server!.stdout!.on('data', () => {
        if (serverOutput.includes('sessiond listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      server!.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the installed server exited with ${code}:\n${serverOutput}`));
      });
    });
  }, 180_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  it('each tarball holds the build only: no sources, no tests, no build state', () => {
    expect(packed.map((p) => p.name).sort()).toEqual([...PACKAGES].sort());
    for (const p of packed) {
      const paths = p.files.map((f) => f.path);
      const stray = paths.filter((f) => !/^(dist\/.+\.(js|d\.ts)|package\.json|README\.md|LICENSE)$/.test(f) && !(p.name === '@sessiond/server' && f.startsWith('pages/')) && !(p.name === '@sessiond/sdk' && f === 'service-worker/sessiond-sw.js'));
      expect(stray, p.name).toEqual([]);
      expect(paths.filter((f) => /\.test\.|\.fixture\./.test(f)), p.name).toEqual([]);
      expect(paths, p.name).toContain('dist/index.js');
      expect(paths, p.name).toContain('dist/index.d.ts');
    }
    // The four packages people install (SPEC §11) each ship their guide: `sessiond --help` points at the server's.
    for (const name of ['@sessiond/server', '@sessiond/verifier', '@sessiond/node', '@sessiond/sdk']) {
      expect(packed.find((p) => p.name === name)!.files.map((f) => f.path), name).toContain('README.md');
    }
    // The notification worker (SPEC §14) is served by the page's own origin, so it ships as a file to copy.
    expect(packed.find((p) => p.name === '@sessiond/sdk')!.files.map((f) => f.path)).toContain('service-worker/sessiond-sw.js');
    const server = packed.find((p) => p.name === '@sessiond/server')!.files.map((f) => f.path);
    expect(server).toContain('dist/cli.js');
    expect(server).toContain('pages/index.html');
    expect(server.some((f) => /^pages\/assets\/.+\.js$/.test(f))).toBe(true);
  });

  it('publint and arethetypeswrong find nothing wrong in any tarball', async () => {
    const problems: string[] = [];
    for (const p of packed) {
      const data = readFileSync(join(tarballs, p.filename));
      const tarball = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      const lint = await publint({ pack: { tarball }, level: 'suggestion', strict: true });
      for (const m of lint.messages) problems.push(`${p.name} publint ${m.type}: ${formatMessage(m, lint.pkg) ?? m.code}`);
      const types = await checkPackage(createPackageFromTarballData(new Uint8Array(data)));
      if (!types.types) problems.push(`${p.name} attw: no types`);
      // ESM only (attw --profile esm-only): node10 and require() from CommonJS are not offered.
      for (const problem of 'problems' in types ? types.problems : []) {
        if ('resolutionKind' in problem && (problem.resolutionKind === 'node10' || problem.resolutionKind === 'node16-cjs')) continue;
        problems.push(`${p.name} attw: ${JSON.stringify(problem)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('`npx sessiond serve` serves the API and the pages from the installed package, on SQLite', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', store: 'sqlite' });
    // The default store: a SQLite file in the working folder.
    expect(existsSync(join(app, 'data/sessiond.db'))).toBe(true);
    const page = await fetch(`${base}/login`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(`${base}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    // Nothing of the repository in the installed server: its pages are the package's own.
    expect(realpathSync(join(app, 'node_modules/@sessiond/server')).startsWith(app)).toBe(true);
  });

  it('`npx sessiond --help` lists every command the CLI has', () => {
    const help = run('npx', ['--no-install', 'sessiond', '--help'], app);
    const usage = /const USAGE = `([^`]*)`/.exec(readFileSync(join(ROOT, 'packages/server/src/cli.ts'), 'utf8'))![1]!;
    expect(help.trim()).toBe(usage.trim());
    for (const command of ['serve', 'users create', 'sessions list', 'sessions revoke', 'keys rotate', 'apps keys create', 'apps keys list', 'apps keys revoke']) {
      expect(help).toContain(`sessiond ${command}`);
    }
  });

  it('the verifier, imported from plain JavaScript, verifies an access token the installed server issued', async () => {
    const email = 'packed@example.com';
    expect((await fetch(`${base}/v1/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) })).status).toBe(201);
    const login = await fetch(`${base}/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD, mode: 'token' }) });
    const body = (await login.json()) as { accessToken: string; session: { id: string }; user: { id: string } };
    expect(login.status, JSON.stringify(body)).toBe(200);
    writeFileSync(
      join(app, 'verify.js'),
      `import { createVerifier, VerifierError } from '@sessiond/verifier';
const [base, token] = process.argv.slice(2);
const verifier = createVerifier({ issuer: base, jwksUrl: base + '/.well-known/jwks.json', audience: 'web' });
const verified = await verifier.verify(token);
const [h, p, s] = token.split('.');
const forged = [h, p, (s[0] === 'A' ? 'B' : 'A') + s.slice(1)].join('.');
let forgedRefused = null;
try { await verifier.verify(forged); } catch (e) { forgedRefused = e instanceof VerifierError ? e.code : String(e); }
verifier.close();
console.log(JSON.stringify({ verified, forgedRefused }));
`,
    );
    const out = JSON.parse(run(process.execPath, ['verify.js', base, body.accessToken], app));
    expect(out.verified).toMatchObject({ userId: body.user.id, sessionId: body.session.id, app: 'web' });
    expect(out.forgedRefused).toEqual(expect.any(String));
    // The server's own library entry loads from plain JavaScript too.
    const lib = run(process.execPath, ['--input-type=module', '-e', "const m = await import('@sessiond/server'); console.log(Object.keys(m).sort().join(','))"], app);
    expect(lib.trim().split(',')).toEqual(expect.arrayContaining(['buildApp', 'loadConfig', 'startServer']));
  });

  it('the middleware, imported from plain JavaScript, protects a route with the installed server’s cookie, and tells why after an ending', async () => {
    const email = 'middleware@example.com';
    const json = { 'content-type': 'application/json' };
    expect((await fetch(`${base}/v1/signup`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: PASSWORD }) })).status).toBe(201);
    const login = (await (await fetch(`${base}/v1/login`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: PASSWORD }) })).json()) as { token: string };
    writeFileSync(
      join(app, 'guard.js'),
      `import { createServer } from 'node:http';
import { createSessionGuard } from '@sessiond/node';
const [base, token] = process.argv.slice(2);
const guard = createSessionGuard({ url: base });
await guard.ready();
// A route of the app's own, protected by the guard.
const app = createServer(async (req, res) => {
  const r = await guard.check({ cookie: req.headers.cookie, ip: req.socket.remoteAddress, userAgent: req.headers['user-agent'] });
  res.writeHead(r.ok ? 200 : r.refusal.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(r.ok ? { email: r.auth.user.email } : r.refusal.body));
});
await new Promise((ok) => app.listen(0, '127.0.0.1', ok));
const route = 'http://127.0.0.1:' + app.address().port + '/account';
const call = async () => { const r = await fetch(route, { headers: { cookie: 'sessiond=' + token } }); return { status: r.status, body: await r.json() }; };
const before = await call();
const out = await guard.signOut({ cookie: 'sessiond=' + token });
const after = await call();
const anonymous = await (await fetch(route)).json();
app.close();
guard.close();
console.log(JSON.stringify({ before, setCookie: out.setCookie, after, anonymous }));
`,
    );
    const out = JSON.parse(run(process.execPath, ['guard.js', base, login.token], app));
    expect(out.before).toEqual({ status: 200, body: { email } });
    expect(out.setCookie).toMatch(/^sessiond=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0$/);
    expect(out.after).toMatchObject({ status: 401, body: { error: { code: 'session_ended', reason: 'logged_out', message: expect.any(String) } } });
    expect(out.anonymous).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('the SDK, bundled by Vite into a page on another origin, signs in in Chromium', async () => {
    const web = join(app, 'web');
    mkdirSync(web);
    writeFileSync(
      join(web, 'index.html'),
      `<!doctype html><html><body>
<form id="f"><input name="email" value="page@example.com"><input name="password" type="password"><button>Sign in</button></form>
<output id="out">loading</output>
<script type="module" src="./main.js"></script></body></html>`,
    );
    writeFileSync(
      join(web, 'main.js'),
      `import { createSessionClient } from '@sessiond/sdk';
const out = document.getElementById('out');
const client = createSessionClient({ baseUrl: new URLSearchParams(location.search).get('api'), mode: 'token' });
client.start().then((s) => { out.textContent = s.status; });
document.getElementById('f').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  try {
    const { user } = await client.signIn({ email: form.get('email'), password: form.get('password') });
    out.textContent = client.getState().status + ' as ' + user.email;
  } catch (err) {
    out.textContent = 'error: ' + err.message;
  }
});
`,
    );
    // The repository's Vite (a devDependency), run on the scratch project: the SDK comes from its node_modules.
    run(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], web);
    const bundle = readFileSync(join(web, 'dist', /src="\/?(assets\/[^"]+\.js)"/.exec(readFileSync(join(web, 'dist/index.html'), 'utf8'))![1]!), 'utf8');
    expect(bundle).toContain('/v1/login');

    expect((await fetch(`${base}/v1/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'page@example.com', password: PASSWORD }) })).status).toBe(201);
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
    const pages: Server = createServer((req, res) => {
      const path = new URL(req.url!, pageOrigin).pathname;
      const file = join(web, 'dist', path === '/' ? 'index.html' : path);
      if (!file.startsWith(join(web, 'dist')) || !existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((r) => pages.listen(Number(new URL(pageOrigin).port), '127.0.0.1', r));
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${pageOrigin}/?api=${encodeURIComponent(base)}`);
      await page.locator('#out', { hasText: 'signed-out' }).waitFor({ timeout: 10_000 });
      await page.fill('input[name=password]', PASSWORD);
      await page.click('button');
      await page.locator('#out', { hasText: /signed-in|error/ }).waitFor({ timeout: 10_000 });
      expect(await page.textContent('#out')).toBe('signed-in as page@example.com');
    } finally {
      await browser.close();
      await new Promise((r) => pages.close(r));
    }
  });
});
