import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, PROCESS_STARTS_TIMEOUT_MS, runCli, startServer } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sessiond-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('deadlines with short configured timeouts', () => {
  it('idle timeout ends the session; activity slides it; passive polls do not', async () => {
    const server = await startServer({ SESSIOND_IDLE_TIMEOUT: '4s', SESSIOND_WARNING_BEFORE: '1s' });
    try {
      const c = new Client(server.url);
      await c.post('/v1/signup', { email: 'idle@example.com', password: PASSWORD });
      await c.post('/v1/login', { email: 'idle@example.com', password: PASSWORD });
      await sleep(2400);
      expect((await c.get('/v1/session')).status).toBe(200); // activity: slides to +4 s
      await sleep(2400);
      expect((await c.get('/v1/session', { 'x-sessiond-passive': '1' })).status).toBe(200); // passive: does not slide
      await sleep(2000);
      const r = await c.get('/v1/session');
      expect(r.status).toBe(401);
      expect(r.json.error).toMatchObject({ code: 'session_ended', reason: 'idle_timeout', message: 'You were signed out after 4 seconds without activity.' });
      expect(r.headers.getSetCookie()[0]).toMatch(/Max-Age=0/);
    } finally {
      await server.stop();
    }
  });

  it('a request another site caused (Sec-Fetch-Site: cross-site) is not activity; same-origin and same-site ones are', async () => {
    const server = await startServer({ SESSIOND_IDLE_TIMEOUT: '4s' });
    try {
      const c = new Client(server.url);
      await c.post('/v1/signup', { email: 'cross@example.com', password: PASSWORD });
      const login = await c.post('/v1/login', { email: 'cross@example.com', password: PASSWORD });
      const signedInIdle = login.json.session.idleExpiresAt;
      await sleep(1100);
      const crossSite = await c.get('/v1/session', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' });
      expect(crossSite.status).toBe(200);
      expect(crossSite.json.session.idleExpiresAt).toBe(signedInIdle);
      expect((await c.get('/v1/sessions', { 'sec-fetch-site': 'cross-site' })).json.sessions[0].idleExpiresAt).toBe(signedInIdle);
      const sameOrigin = await c.get('/v1/session', { 'sec-fetch-site': 'same-origin' });
      expect(Date.parse(sameOrigin.json.session.idleExpiresAt)).toBeGreaterThan(Date.parse(signedInIdle));
      await sleep(1100);
      const sameSite = await c.get('/v1/session', { 'sec-fetch-site': 'same-site' });
      expect(Date.parse(sameSite.json.session.idleExpiresAt)).toBeGreaterThan(Date.parse(sameOrigin.json.session.idleExpiresAt));
    } finally {
      await server.stop();
    }
  });

  it('extend never moves the absolute deadline', async () => {
    // Extended 1.5 s in, the idle deadline would pass the absolute one; the 2.5 s left before the
    // idle timeout are for a slow machine's request, not part of what is tested.
    const server = await startServer({ SESSIOND_IDLE_TIMEOUT: '4s', SESSIOND_ABSOLUTE_TIMEOUT: '5s' });
    try {
      const c = new Client(server.url);
      await c.post('/v1/signup', { email: 'abs@example.com', password: PASSWORD });
      const login = await c.post('/v1/login', { email: 'abs@example.com', password: PASSWORD });
      await sleep(1500);
      const ext = await c.post('/v1/session/extend');
      expect(ext.json.session.absoluteExpiresAt).toBe(login.json.session.absoluteExpiresAt);
      expect(ext.json.session.expiresAt).toBe(login.json.session.absoluteExpiresAt);
      await sleep(Date.parse(login.json.session.absoluteExpiresAt) - Date.now() + 300);
      const r = await c.get('/v1/session');
      expect(r.json.error).toMatchObject({ reason: 'absolute_timeout', message: 'Sessions last at most 5 seconds. Please sign in again.' });
    } finally {
      await server.stop();
    }
  });
});

describe('the embedded SQLite store', () => {
  it('keeps sessions and tombstones across a restart', async () => {
    const store = `sqlite:${join(tempDir(), 'sessiond.db')}`;
    let server = await startServer({ SESSIOND_STORE: store });
    const c = new Client(server.url);
    await c.post('/v1/signup', { email: 'restart@example.com', password: PASSWORD });
    const a = (await c.post('/v1/login', { email: 'restart@example.com', password: PASSWORD })).json.token;
    const b = (await c.post('/v1/login', { email: 'restart@example.com', password: PASSWORD })).json.token;
    await new Client(server.url).post('/v1/logout', {}, { authorization: `Bearer ${b}` });
    await server.stop();
    server = await startServer({ SESSIOND_STORE: store });
    try {
      const again = new Client(server.url);
      expect((await again.get('/v1/session', { authorization: `Bearer ${a}` })).status).toBe(200);
      expect((await again.get('/v1/session', { authorization: `Bearer ${b}` })).json.error.reason).toBe('logged_out');
    } finally {
      await server.stop();
    }
  });

  it('a kill -9 during sign-in load loses no session whose sign-in was answered', async () => {
    const store = `sqlite:${join(tempDir(), 'sessiond.db')}`;
    const admin = 'kill-test-admin-token-0123456789';
    let server = await startServer({ SESSIOND_STORE: store, SESSIOND_ADMIN_TOKEN: admin });
    const adm = new Client(server.url, { authorization: `Bearer ${admin}` });
    let users = 0;
    const newUser = async () => (await adm.post('/v1/admin/users', { email: `crash-${users++}@example.com`, password: PASSWORD })).json.user.id as string;
    // Admin-started sessions skip argon2, so the load is all store writes.
    const answered: string[] = [];
    let stop = false;
    const workers = Array.from({ length: 8 }, async () => {
      // A new account every 90 sessions: an account keeps at most 100 active ones.
      let userId = '';
      for (let n = 0; !stop; n++) {
        try {
          if (n % 90 === 0) userId = await newUser();
          const r = await adm.post('/v1/admin/sessions', { userId });
          if (r.status === 200) answered.push(r.json.token);
        } catch {
          return; // the connection died with the server
        }
      }
    });
    await sleep(1500);
    await server.kill();
    stop = true;
    await Promise.all(workers);
    expect(answered.length).toBeGreaterThan(50);
    server = await startServer({ SESSIOND_STORE: store });
    try {
      const c = new Client(server.url);
      let alive = 0;
      for (const t of answered) if ((await c.get('/v1/session', { authorization: `Bearer ${t}`, 'x-sessiond-passive': '1' })).status === 200) alive++;
      expect(alive).toBe(answered.length);
    } finally {
      await server.stop();
    }
  });
});

describe('start-up and the CLI', () => {
  it('bad configuration stops start-up with one line naming the variable', async () => {
    const r = await runCli(['serve'], { SESSIOND_IDLE_TIMEOUT: 'soon', PORT: '0' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('SESSIOND_IDLE_TIMEOUT');
    const p = await runCli(['serve'], { PORT: 'eighty' });
    expect(p.stderr).toContain('PORT');
  });

  it('creates users, lists and revokes sessions', async () => {
    const store = `sqlite:${join(tempDir(), 'cli.db')}`;
    const env = { SESSIOND_STORE: store };
    const created = await runCli(['users', 'create', '--email', 'cli@example.com', '--password-stdin'], env, PASSWORD + '\n');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/created user \S+ <cli@example.com>/);
    const server = await startServer(env);
    let token: string;
    try {
      const c = new Client(server.url);
      token = (await c.post('/v1/login', { email: 'cli@example.com', password: PASSWORD })).json.token;
    } finally {
      await server.stop();
    }
    const listed = await runCli(['sessions', 'list', '--user', 'cli@example.com'], env);
    expect(listed.stdout).toContain('1 active session');
    const id = token.split('.')[0]!;
    expect(listed.stdout).toContain(id);
    const revoked = await runCli(['sessions', 'revoke', id], env);
    expect(revoked.stdout).toContain(`ended session ${id}`);
    expect((await runCli(['sessions', 'list', '--user', 'cli@example.com'], env)).stdout).toContain('0 active sessions');
    // Ids are base64url: one in 64 begins with "-", which must not read as a flag.
    const dashed = await runCli(['sessions', 'revoke', '-iD58HzlsGi1CpivLl4rRA'], env);
    expect(dashed.code).toBe(1);
    expect(dashed.stderr).toContain('no active session -iD58HzlsGi1CpivLl4rRA');
    expect((await runCli(['sessions', 'list', '--user', '-NoSuchUser'], env)).stderr).toContain('-NoSuchUser');
  }, PROCESS_STARTS_TIMEOUT_MS);
});
