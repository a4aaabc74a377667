import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Client, runCli, startServer } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0';

async function withServer(env: Record<string, string>, fn: (url: string) => Promise<void>) {
  const s = await startServer({ SESSIOND_TRUST_PROXY: '1', ...env });
  try {
    await fn(s.url);
  } finally {
    await s.stop();
  }
}

describe('security policies over HTTP', () => {
  it('per-app policies from SESSIOND_CONFIG: a pci-dss app with one session, rejecting a second', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessiond-policy-'));
    const config = join(dir, 'policies.json');
    writeFileSync(config, JSON.stringify({ apps: { banking: { preset: 'pci-dss', maxSessions: 1, onMaxSessions: 'reject' } } }));
    await withServer({ SESSIOND_CONFIG: config }, async (url) => {
      const c = new Client(url);
      await c.post('/v1/signup', { email: 'bank@example.com', password: PASSWORD });
      const first = await c.post('/v1/login', { email: 'bank@example.com', password: PASSWORD, app: 'banking' });
      expect(Date.parse(first.json.session.idleExpiresAt) - Date.parse(first.json.session.createdAt)).toBe(15 * 60_000);
      const second = await new Client(url).post('/v1/login', { email: 'bank@example.com', password: PASSWORD, app: 'banking' });
      expect(second.status).toBe(409);
      expect(second.json.error.code).toBe('concurrent_limit');
      expect(second.json.error.message).toMatch(/Sign out on one of them/);
      // Other apps keep the environment's defaults.
      const web = await new Client(url).post('/v1/login', { email: 'bank@example.com', password: PASSWORD });
      expect(Date.parse(web.json.session.idleExpiresAt) - Date.parse(web.json.session.createdAt)).toBe(30 * 60_000);
    });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ apps: { banking: { preset: 'fort-knox' } } }));
    const r = await runCli(['serve'], { SESSIOND_CONFIG: bad, PORT: '0' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('apps.banking.preset');
  });

  it('evict_oldest: the oldest session ends with concurrent_limit, naming the new device', async () => {
    await withServer({ SESSIOND_MAX_SESSIONS: '2' }, async (url) => {
      const a = new Client(url, { 'user-agent': CHROME });
      await a.post('/v1/signup', { email: 'limit@example.com', password: PASSWORD });
      await a.post('/v1/login', { email: 'limit@example.com', password: PASSWORD });
      await new Client(url, { 'user-agent': CHROME }).post('/v1/login', { email: 'limit@example.com', password: PASSWORD });
      await new Client(url, { 'user-agent': FIREFOX }).post('/v1/login', { email: 'limit@example.com', password: PASSWORD });
      const told = await a.get('/v1/session');
      expect(told.json.error).toMatchObject({ code: 'session_ended', reason: 'concurrent_limit' });
      expect(told.json.error.message).toBe('You signed in on another device (Firefox on Windows), and this app allows at most 2 sessions at a time.');
    });
  });

  it('IP binding: subnet allows the same /24, ends on another network; off records the change', async () => {
    await withServer({ SESSIOND_BIND_IP: 'subnet' }, async (url) => {
      const c = new Client(url, { 'x-forwarded-for': '198.51.100.10' });
      await c.post('/v1/signup', { email: 'ip@example.com', password: PASSWORD });
      const { json } = await c.post('/v1/login', { email: 'ip@example.com', password: PASSWORD });
      const bearer = { authorization: `Bearer ${json.token}` };
      expect((await c.get('/v1/session', { ...bearer, 'x-forwarded-for': '198.51.100.99' })).status).toBe(200);
      const moved = await c.get('/v1/session', { ...bearer, 'x-forwarded-for': '203.0.113.7' });
      expect(moved.json.error).toMatchObject({ code: 'session_ended', reason: 'ip_changed' });
    });
    await withServer({}, async (url) => {
      const c = new Client(url, { 'x-forwarded-for': '81.2.69.142' });
      await c.post('/v1/signup', { email: 'roam@example.com', password: PASSWORD });
      const { json } = await c.post('/v1/login', { email: 'roam@example.com', password: PASSWORD });
      expect(json.session.location).toMatchObject({ city: 'London' });
      const r = await c.get('/v1/sessions', { 'x-forwarded-for': '8.8.8.8' });
      expect(r.json.sessions[0]).toMatchObject({ ip: '8.8.8.8', location: { country: 'US' } });
    });
  });

  it('device binding ends the session on another browser, not on a version update', async () => {
    await withServer({ SESSIOND_BIND_DEVICE: 'strict' }, async (url) => {
      const c = new Client(url, { 'user-agent': CHROME });
      await c.post('/v1/signup', { email: 'dev@example.com', password: PASSWORD });
      await c.post('/v1/login', { email: 'dev@example.com', password: PASSWORD });
      expect((await c.get('/v1/session', { 'user-agent': CHROME.replace('Chrome/120', 'Chrome/121') })).status).toBe(200);
      const other = await c.get('/v1/session', { 'user-agent': FIREFOX });
      expect(other.json.error).toMatchObject({ code: 'session_ended', reason: 'device_changed' });
    });
  });

  it('behind HTTPS: __Host- cookies with Secure, HSTS on pages', async () => {
    await withServer({ SESSIOND_PUBLIC_URL: 'https://auth.example.com' }, async (url) => {
      const c = new Client(url, { origin: 'https://auth.example.com' });
      await c.post('/v1/signup', { email: 'tls@example.com', password: PASSWORD });
      const r = await c.post('/v1/login', { email: 'tls@example.com', password: PASSWORD, rememberMe: true });
      for (const cookie of r.headers.getSetCookie()) {
        expect(cookie).toMatch(/^__Host-sessiond(-device|-browser)?=/);
        expect(cookie).toMatch(/; Path=\/; HttpOnly; SameSite=Lax; Secure/);
        expect(cookie).not.toMatch(/Domain=/i);
      }
      const page = await fetch(url + '/login');
      expect(page.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(page.headers.get('content-security-policy')).not.toMatch(/unsafe-inline/);
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    });
  });
});
