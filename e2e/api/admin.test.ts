import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startAdminServer, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';

describe('admin API', () => {
  let server: ServerProcess;
  let admin: Client;
  beforeAll(async () => ({ server, admin } = await startAdminServer({ SESSIOND_SIGNUP: 'closed' })));
  afterAll(() => server.stop());

  it('is closed to everyone without the admin token', async () => {
    const anon = new Client(server.url);
    expect((await anon.post('/v1/admin/revoke-all')).status).toBe(401);
    const wrong = await anon.post('/v1/admin/revoke-all', {}, { authorization: 'Bearer not-the-admin-token-at-all' });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error.code).toBe('forbidden');
  });

  it('creates users while sign-up is closed to the public', async () => {
    const pub = await new Client(server.url).post('/v1/signup', { email: 'x@example.com', password: PASSWORD });
    expect(pub.status).toBe(403);
    const r = await admin.post('/v1/admin/users', { email: 'grace@example.com', password: PASSWORD });
    expect(r.status).toBe(201);
    expect(r.json.user.email).toBe('grace@example.com');
  });

  it('starts sessions for users the operator authenticated, lists and ends them', async () => {
    const { json } = await admin.post('/v1/admin/users', { email: 'linus@example.com', password: PASSWORD });
    const userId = json.user.id;
    const started = await admin.post('/v1/admin/sessions', { userId, app: 'desktop', ip: '81.2.69.142', userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0' });
    expect(started.status).toBe(200);
    expect(started.headers.getSetCookie()).toHaveLength(0);
    expect(started.json.session).toMatchObject({ app: 'desktop', ip: '81.2.69.142', device: { label: 'Firefox on Linux' }, location: { city: 'London', country: 'GB' } });
    const token = started.json.token;
    const user = new Client(server.url, { authorization: `Bearer ${token}` });
    expect((await user.get('/v1/session')).status).toBe(200);
    const listed = await admin.get(`/v1/admin/users/${userId}/sessions`);
    expect(listed.json.sessions).toHaveLength(1);
    expect((await admin.post('/v1/admin/sessions', { userId: 'nope' })).status).toBe(404);
    expect((await admin.post('/v1/admin/sessions', { userId, ip: 'not-an-ip' })).status).toBe(400);

    expect((await admin.post(`/v1/admin/users/${userId}/revoke-sessions`)).json).toEqual({ ended: 1 });
    const told = await user.get('/v1/session');
    expect(told.json.error).toMatchObject({ code: 'session_ended', reason: 'revoked_by_admin', message: 'An administrator ended your sessions.' });

    const audit = await admin.get(`/v1/admin/audit?userId=${userId}&limit=10`);
    const types = audit.json.events.map((e: { type: string }) => e.type);
    // The user's client came from another address and browser than the operator said: both recorded.
    expect(types[0]).toBe('session.ended');
    expect(types).toEqual(expect.arrayContaining(['session.started', 'session.ip_changed', 'session.device_changed']));
    expect(JSON.stringify(audit.json)).not.toContain(token);
    expect(JSON.stringify(audit.json)).not.toContain(token.split('.')[1]);
  });

  it('disabling an account ends its sessions at once and refuses sign-in until it is enabled again', async () => {
    const { json } = await admin.post('/v1/admin/users', { email: 'mallory@example.com', password: PASSWORD });
    const user = new Client(server.url);
    const token = (await user.post('/v1/login', { email: 'mallory@example.com', password: PASSWORD })).json.token;
    const other = (await admin.post('/v1/admin/sessions', { userId: json.user.id })).json.token;
    expect((await admin.post(`/v1/admin/users/${json.user.id}/disable`)).json).toEqual({ disabled: true, ended: 2 });
    for (const t of [token, other]) expect((await new Client(server.url).get('/v1/session', { authorization: `Bearer ${t}` })).json.error.reason).toBe('revoked_by_admin');
    const refused = await new Client(server.url).post('/v1/login', { email: 'mallory@example.com', password: PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toMatch(/disabled/);
    expect((await admin.post('/v1/admin/sessions', { userId: json.user.id })).status).toBe(403);
    await admin.post(`/v1/admin/users/${json.user.id}/enable`);
    expect((await new Client(server.url).post('/v1/login', { email: 'mallory@example.com', password: PASSWORD })).status).toBe(200);
  });

  it('ends every session of every user (global logout)', async () => {
    const { json } = await admin.post('/v1/admin/users', { email: 'ken@example.com', password: PASSWORD });
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) tokens.push((await admin.post('/v1/admin/sessions', { userId: json.user.id })).json.token);
    const r = await admin.post('/v1/admin/revoke-all');
    expect(r.json.ended).toBeGreaterThanOrEqual(3);
    for (const t of tokens) {
      const told = await new Client(server.url).get('/v1/session', { authorization: `Bearer ${t}` });
      expect(told.json.error.reason).toBe('global_logout');
    }
  });
});

describe('admin API without a token configured', () => {
  it('does not exist', async () => {
    const server = await startServer();
    try {
      const r = await new Client(server.url).post('/v1/admin/revoke-all', {}, { authorization: 'Bearer anything-at-all-here' });
      expect(r.status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});
