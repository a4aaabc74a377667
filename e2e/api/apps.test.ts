import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, adminClient, Client, readEvents, runCli, startAdminServer, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';

// A strict `banking` app, registered by the config file; SESSIOND_APPS keeps the defaults.
const dir = mkdtempSync(join(tmpdir(), 'sessiond-apps-'));
const CONFIG = join(dir, 'apps.json');
writeFileSync(CONFIG, JSON.stringify({ apps: { banking: { preset: 'pci-dss', maxSessions: 1, onMaxSessions: 'reject' } } }));

describe('registered apps and app keys (SPEC §9)', () => {
  let server: ServerProcess;
  let admin: Client;
  let userId: string;
  beforeAll(async () => {
    ({ server, admin } = await startAdminServer({ SESSIOND_CONFIG: CONFIG, SESSIOND_METRICS: 'protected' }));
    userId = (await admin.post('/v1/admin/users', { email: 'apps@example.com', password: PASSWORD })).json.user.id;
  });
  afterAll(() => server.stop());

  const createKey = async (app: string, scopes: string[]) => {
    const r = await admin.post(`/v1/admin/apps/${app}/keys`, { label: `${app} backend`, scopes });
    expect(r.status).toBe(201);
    return { id: r.json.key.id as string, client: new Client(server.url, { authorization: `Bearer ${r.json.secret}` }), created: r };
  };

  it('an app that is not registered is 400 invalid_request naming "app", on login (cookie and token) and on admin session start', async () => {
    for (const app of ['Banking', 'mobile', 'x']) {
      for (const body of [
        { email: 'apps@example.com', password: PASSWORD, app },
        { email: 'apps@example.com', password: PASSWORD, app, mode: 'token' },
      ]) {
        const r = await new Client(server.url).post('/v1/login', body);
        expect(r.status).toBe(400);
        expect(r.json.error).toMatchObject({ code: 'invalid_request', details: { field: 'app' } });
      }
      const started = await admin.post('/v1/admin/sessions', { userId, app });
      expect(started.status).toBe(400);
      expect(started.json.error).toMatchObject({ code: 'invalid_request', details: { field: 'app' } });
    }
    // The registered name gets its own strict policy: one session, the second refused.
    expect((await new Client(server.url).post('/v1/login', { email: 'apps@example.com', password: PASSWORD, app: 'banking' })).status).toBe(200);
    expect((await new Client(server.url).post('/v1/login', { email: 'apps@example.com', password: PASSWORD, app: 'banking' })).json.error.code).toBe('concurrent_limit');
    await admin.post(`/v1/admin/users/${userId}/revoke-sessions`);
  });

  it('creates a key with its secret shown once, lists it without the secret, revokes it', async () => {
    const { id, client, created } = await createKey('desktop', ['sessions:read']);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.json.key).toMatchObject({ id, app: 'desktop', label: 'desktop backend', scopes: ['sessions:read'], lastUsedAt: null });
    expect(created.json.secret).toMatch(/^sak_[A-Za-z0-9_-]{43}$/);
    expect((await client.get(`/v1/admin/users/${userId}/sessions`)).status).toBe(200);
    // lastUsedAt is written behind the request that used the key (app-keys.ts): poll for it.
    await expect.poll(async () => (await admin.get('/v1/admin/apps/desktop/keys')).json.keys[0].lastUsedAt).toEqual(expect.any(String));
    const listed = await admin.get('/v1/admin/apps/desktop/keys');
    expect(listed.json.keys).toEqual([{ ...created.json.key, lastUsedAt: expect.any(String) }]);
    expect(listed.text).not.toContain(created.json.secret);
    expect(listed.text).not.toMatch(/secretHash/);
    // A key is managed with the admin token only, and only under its own app.
    expect((await client.get('/v1/admin/apps/desktop/keys')).status).toBe(403);
    expect((await admin.delete(`/v1/admin/apps/web/keys/${id}`)).status).toBe(404);
    expect((await admin.post('/v1/admin/apps/nope/keys', { label: 'x', scopes: ['sessions:read'] })).status).toBe(404);
    expect((await admin.post('/v1/admin/apps/web/keys', { label: 'x', scopes: ['everything'] })).json.error.code).toBe('invalid_request');
    expect((await admin.delete(`/v1/admin/apps/desktop/keys/${id}`)).status).toBe(204);
    expect((await client.get(`/v1/admin/users/${userId}/sessions`)).json.error.code).toBe('forbidden');
    expect((await admin.get('/v1/admin/apps/desktop/keys')).json.keys).toEqual([]);
  });

  it('each scope opens exactly its routes; everything else is 403 forbidden', async () => {
    const routes: [string, string, string, unknown?][] = [
      ['sessions:write', 'POST', '/v1/admin/sessions', { userId }],
      ['sessions:write', 'POST', `/v1/admin/users/${userId}/revoke-sessions`, {}],
      ['sessions:read', 'GET', `/v1/admin/users/${userId}/sessions`],
      ['sessions:read', 'GET', '/v1/admin/audit'],
      ['users:write', 'POST', '/v1/admin/users', { email: `u${Math.random()}@example.com`, password: PASSWORD }],
      ['metrics:read', 'GET', '/metrics'],
    ];
    const adminOnly: [string, string][] = [
      ['POST', '/v1/admin/revoke-all'],
      ['POST', `/v1/admin/users/${userId}/disable`],
      ['POST', '/v1/admin/keys/rotate'],
      ['GET', '/v1/admin/apps/web/keys'],
    ];
    for (const scope of ['sessions:write', 'sessions:read', 'users:write', 'metrics:read', 'events:read']) {
      const { client } = await createKey('web', [scope]);
      for (const [needs, method, path, body] of routes) {
        const r = await client.req(method, path, body === undefined ? undefined : { ...(body as object), ...(path === '/v1/admin/users' ? { email: `u${Math.random()}@example.com` } : {}) });
        if (needs === scope) expect(r.status, `${scope} ${method} ${path}`).toBeLessThan(300);
        else expect([r.status, r.json?.error?.code], `${scope} ${method} ${path}`).toEqual([403, 'forbidden']);
      }
      for (const [method, path] of adminOnly) expect((await client.req(method, path, method === 'POST' ? {} : undefined)).status, `${scope} ${method} ${path}`).toBe(403);
      const stop = new AbortController();
      const feed = await fetch(`${server.url}/v1/admin/events`, { headers: { authorization: client.defaults.authorization! }, signal: stop.signal });
      expect(feed.status, `${scope} GET /v1/admin/events`).toBe(scope === 'events:read' ? 200 : 403);
      stop.abort();
    }
  });

  it('a key for one app neither sees nor starts nor ends another app’s sessions or events', async () => {
    const desktop = (await admin.post('/v1/admin/sessions', { userId, app: 'desktop' })).json;
    const web = (await admin.post('/v1/admin/sessions', { userId, app: 'web' })).json;
    const { client: webKey } = await createKey('web', ['sessions:read', 'sessions:write', 'events:read']);

    const listed = await webKey.get(`/v1/admin/users/${userId}/sessions`);
    expect(listed.json.sessions.map((s: { id: string }) => s.id)).toEqual([web.session.id]);
    const audit = await webKey.get(`/v1/admin/audit?userId=${userId}`);
    expect(audit.json.events.length).toBeGreaterThan(0);
    expect(audit.json.events.every((e: { data: { app?: string } }) => e.data.app === 'web')).toBe(true);
    expect((await webKey.post('/v1/admin/sessions', { userId, app: 'desktop' })).json.error.code).toBe('forbidden');
    // Without `app`, a key starts a session for its own app.
    const own = await webKey.post('/v1/admin/sessions', { userId });
    expect(own.json.session.app).toBe('web');

    // The events feed carries its app's sessions only (and global endings).
    const feed = await fetch(`${server.url}/v1/admin/events`, { headers: { authorization: webKey.defaults.authorization! } });
    expect(feed.status).toBe(200);
    const got = readEvents(feed, (evs) => evs.some((e) => e.event === 'session.ended_all'));
    await new Promise((r) => setTimeout(r, 100));
    expect((await webKey.post(`/v1/admin/users/${userId}/revoke-sessions`)).json).toEqual({ ended: 2 });
    const desktopUser = new Client(server.url, { authorization: `Bearer ${desktop.token}` });
    expect((await desktopUser.get('/v1/session')).status).toBe(200);
    await admin.post('/v1/admin/sessions', { userId, app: 'desktop' });
    await admin.post('/v1/admin/revoke-all');
    const events = await got;
    const sessionIds = events.filter((e) => e.event !== 'session.ended_all').map((e) => e.data.sessionId);
    expect(new Set(sessionIds)).toEqual(new Set([web.session.id, own.json.session.id]));
    expect(events.filter((e) => e.event === 'session.ended').every((e) => e.data.reason === 'revoked_by_admin')).toBe(true);
  });

  it('the CLI creates, lists and revokes keys', async () => {
    const env = { SESSIOND_STORE: 'memory:' };
    // A memory store lives in one process: exercise argument handling and refusals here.
    expect((await runCli(['apps', 'keys', 'list', 'nope'], env)).stderr).toMatch(/"nope" is not a registered app/);
    expect((await runCli(['apps', 'keys', 'create', 'web', '--label', 'x', '--scopes', 'root'], env)).stderr).toMatch(/unknown scope "root"/);
    const created = await runCli(['apps', 'keys', 'create', 'web', '--label', 'rs', '--scopes', 'events:read,metrics:read'], env);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created key \S+ for web \(events:read, metrics:read\)\nsak_[A-Za-z0-9_-]{43}\n/);
    expect((await runCli(['apps', 'keys', 'list', 'web'], env)).stdout).toBe('0 keys\n');
  });
});

describe('SESSIOND_METRICS', () => {
  it('protected: /metrics needs the admin token or a metrics:read key; open: anyone on loopback', async () => {
    const [guarded, open] = await Promise.all([startServer({ SESSIOND_ADMIN_TOKEN: ADMIN_TOKEN, SESSIOND_METRICS: 'protected' }), startServer({})]);
    try {
      const anon = await fetch(`${guarded.url}/metrics`);
      expect(anon.status).toBe(401);
      expect((await anon.json()).error.code).toBe('unauthenticated');
      const wrong = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer sak_not-a-key' } });
      expect([wrong.status, (await wrong.json()).error.code]).toEqual([403, 'forbidden']);
      expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
      const key = (await adminClient(guarded.url).post('/v1/admin/apps/web/keys', { label: 'prometheus', scopes: ['metrics:read'] })).json.secret;
      const scraped = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('sessiond_sessions_started_total');
      // The default on a loopback bind (the harness binds 127.0.0.1) is open.
      expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
    } finally {
      await Promise.all([guarded.stop(), open.stop()]);
    }
  });
});

describe('app origins (SESSIOND_CONFIG apps.<name>.origins)', () => {
  it('CORS with credentials for exactly the listed origins, and the CSRF check accepts them', async () => {
    const config = join(dir, 'origins.json');
    writeFileSync(config, JSON.stringify({ apps: { banking: { origins: ['https://bank.example.com'] } } }));
    const server = await startServer({ SESSIOND_CONFIG: config });
    try {
      const preflight = (origin: string) =>
        fetch(`${server.url}/v1/session/extend`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
      const ok = await preflight('https://bank.example.com');
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://bank.example.com');
      expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
      for (const other of ['https://evil.example.com', 'https://bank.example.com.evil.example', 'null']) expect((await preflight(other)).headers.get('access-control-allow-origin')).toBeNull();

      const c = new Client(server.url);
      await c.post('/v1/signup', { email: 'cors@example.com', password: PASSWORD });
      await c.post('/v1/login', { email: 'cors@example.com', password: PASSWORD, app: 'banking' });
      const fromBank = await c.post('/v1/session/extend', {}, { origin: 'https://bank.example.com' });
      expect(fromBank.status).toBe(200);
      expect(fromBank.headers.get('access-control-allow-origin')).toBe('https://bank.example.com');
      expect((await c.post('/v1/session/extend', {}, { origin: 'https://evil.example.com' })).json.error.code).toBe('csrf_failed');
    } finally {
      await server.stop();
    }
  });
});
