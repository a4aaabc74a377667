import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type ServerProcess } from '../harness.ts';

const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0';
const PASSWORD = 'correct horse battery';

describe('session lifecycle over HTTP', () => {
  let server: ServerProcess;
  let n = 0;
  const newUser = async () => {
    const email = `user${++n}@example.com`;
    // Each person from an address of their own: sign-up allows 10 a minute from one address.
    const c = new Client(server.url, { 'user-agent': CHROME, 'x-forwarded-for': `198.51.100.${n}` });
    expect((await c.post('/v1/signup', { email, password: PASSWORD })).status).toBe(201);
    return { email, c };
  };
  const signedIn = async (ua = CHROME) => {
    const { email, c } = await newUser();
    c.defaults['user-agent'] = ua;
    const r = await c.post('/v1/login', { email, password: PASSWORD });
    expect(r.status).toBe(200);
    return { email, c, login: r };
  };

  beforeAll(async () => {
    server = await startServer({ SESSIOND_IDLE_TIMEOUT: '30m', SESSIOND_TRUST_PROXY: '1' });
  });
  afterAll(() => server.stop());

  it('signs up, refuses a taken email, and signs in with a cookie', async () => {
    const { email, c } = await newUser();
    const again = await c.post('/v1/signup', { email: email.toUpperCase(), password: PASSWORD });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('email_taken');
    const r = await c.post('/v1/login', { email, password: PASSWORD });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.json.user.email).toBe(email);
    expect(r.json.user.passwordHash).toBeUndefined();
    expect(r.json.session).toMatchObject({ app: 'web', current: true, rememberMe: false, trustedDevice: false, device: { label: 'Chrome on macOS', type: 'desktop' } });
    const cookie = r.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^sessiond=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookie).not.toMatch(/Max-Age|Expires/); // a browser-session cookie unless "Keep me signed in"
    const s = r.json.session;
    expect(Date.parse(s.expiresAt)).toBe(Math.min(Date.parse(s.idleExpiresAt), Date.parse(s.absoluteExpiresAt)));
    expect(Date.parse(s.expiresAt) - Date.parse(s.warnAt)).toBe(2 * 60_000);
    const me = await c.get('/v1/session');
    expect(me.status).toBe(200);
    expect(me.json.session.id).toBe(s.id);
  });

  it('answers the same for an unknown email and a wrong password', async () => {
    const { email, c } = await newUser();
    const wrong = await c.post('/v1/login', { email, password: 'not the password' });
    const unknown = await c.post('/v1/login', { email: 'nobody@example.com', password: PASSWORD });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json).toEqual(unknown.json);
    expect(wrong.json.error.code).toBe('invalid_credentials');
  });

  it('accepts the opaque token as a Bearer credential, and ignores tokens in URLs', async () => {
    const { login } = await signedIn();
    const bearer = new Client(server.url);
    expect((await bearer.get('/v1/session', { authorization: `Bearer ${login.json.token}` })).status).toBe(200);
    const inUrl = await bearer.get(`/v1/session?token=${login.json.token}&sessionId=${login.json.session.id}`);
    expect(inUrl.status).toBe(401);
    expect(inUrl.json.error.code).toBe('unauthenticated');
    const otherHeader = await bearer.get('/v1/session', { 'x-session-id': login.json.token });
    expect(otherHeader.json.error.code).toBe('unauthenticated');
  });

  it('"Keep me signed in" gives a persistent cookie and a trusted device', async () => {
    const { email, c } = await newUser();
    const r = await c.post('/v1/login', { email, password: PASSWORD, rememberMe: true });
    const [session, device] = r.headers.getSetCookie();
    expect(session).toMatch(/Max-Age=259\d{4}/); // ~30 days
    expect(device).toMatch(/^sessiond_device=.*HttpOnly/);
    expect(r.json.session).toMatchObject({ rememberMe: true, trustedDevice: true });
    const devices = await c.get('/v1/devices');
    expect(devices.json.devices).toHaveLength(1);
    expect(devices.json.devices[0]).toMatchObject({ label: 'Chrome on macOS', current: true });
  });

  it('removing a trusted device ends the sessions it kept signed in, and forgets it', async () => {
    const { email, c } = await newUser();
    await c.post('/v1/login', { email, password: PASSWORD });
    const phone = new Client(server.url, { 'user-agent': FIREFOX });
    await phone.post('/v1/login', { email, password: PASSWORD, rememberMe: true });
    const devices = (await c.get('/v1/devices')).json.devices;
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ label: 'Firefox on Windows', current: false });
    expect((await c.delete(`/v1/devices/${devices[0].id}`)).status).toBe(204);
    expect((await c.delete(`/v1/devices/${devices[0].id}`)).status).toBe(404);
    expect((await phone.get('/v1/session')).json.error.reason).toBe('revoked');
    expect((await c.get('/v1/devices')).json.devices).toHaveLength(0);
    expect((await c.get('/v1/session')).status).toBe(200);
  });

  it('"Log out and remove" ends a session and forgets its trusted device', async () => {
    const { email, c } = await newUser();
    await c.post('/v1/login', { email, password: PASSWORD });
    const laptop = new Client(server.url, { 'user-agent': FIREFOX });
    const l = await laptop.post('/v1/login', { email, password: PASSWORD, rememberMe: true });
    expect((await c.delete(`/v1/sessions/${l.json.session.id}?forgetDevice=1`)).status).toBe(204);
    expect((await c.get('/v1/devices')).json.devices).toHaveLength(0);
    expect((await laptop.get('/v1/session')).json.error.reason).toBe('revoked');
  });

  it('logs out: 204, cookie cleared, Clear-Site-Data, and the old token explains why', async () => {
    const { c, login } = await signedIn();
    const r = await c.post('/v1/logout');
    expect(r.status).toBe(204);
    expect(r.headers.get('clear-site-data')).toBe('"cookies"');
    expect(r.headers.getSetCookie()[0]).toMatch(/^sessiond=; .*Max-Age=0/);
    const after = await new Client(server.url).get('/v1/session', { authorization: `Bearer ${login.json.token}` });
    expect(after.status).toBe(401);
    expect(after.json.error).toMatchObject({ code: 'session_ended', reason: 'logged_out', message: 'You signed out.' });
    expect(Date.parse(after.json.error.endedAt)).toBeGreaterThan(0);
  });

  it('refuses cookie-authenticated state changes from another origin (CSRF)', async () => {
    const { c } = await signedIn();
    const foreign = await c.post('/v1/logout', undefined, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.code).toBe('csrf_failed');
    const textPlain = await c.req('POST', '/v1/sessions/revoke-all', 'x', { origin: 'https://evil.example', 'content-type': 'text/plain' });
    expect(textPlain.status).toBe(403);
    expect(textPlain.json.error.code).toBe('csrf_failed');
    const noOrigin = await c.req('POST', '/v1/logout', {}, { origin: '' });
    expect(noOrigin.status).toBe(403);
    const viaReferer = await c.req('POST', '/v1/session/extend', {}, { origin: '', referer: `${server.url}/demo` });
    expect(viaReferer.status).toBe(200);
    expect((await c.get('/v1/session')).status).toBe(200); // nothing was ended
  });

  it('lists sessions current first, then by last activity', async () => {
    const { email, c } = await signedIn();
    const other = new Client(server.url, { 'user-agent': FIREFOX });
    await other.post('/v1/login', { email, password: PASSWORD, app: 'desktop' });
    const r = await c.get('/v1/sessions');
    expect(r.status).toBe(200);
    expect(r.json.sessions).toHaveLength(2);
    expect(r.json.sessions[0]).toMatchObject({ current: true, device: { label: 'Chrome on macOS' } });
    expect(r.json.sessions[1]).toMatchObject({ current: false, app: 'desktop', device: { label: 'Firefox on Windows' } });
    expect(JSON.stringify(r.json)).not.toMatch(/tokenHash|token"/);
  });

  it('ends another session; that session is told which device ended it', async () => {
    const { email, c } = await signedIn();
    const other = new Client(server.url, { 'user-agent': FIREFOX });
    const o = await other.post('/v1/login', { email, password: PASSWORD });
    const current = (await c.get('/v1/session')).json.session.id;
    expect((await c.delete(`/v1/sessions/${current}`)).json.error.code).toBe('current_session');
    expect((await c.delete('/v1/sessions/doesnotexist')).status).toBe(404);
    expect((await c.delete(`/v1/sessions/${o.json.session.id}`)).status).toBe(204);
    const told = await other.get('/v1/session');
    expect(told.status).toBe(401);
    expect(told.json.error).toMatchObject({ code: 'session_ended', reason: 'revoked' });
    expect(told.json.error.message).toContain('Chrome on macOS');
    expect((await c.get('/v1/sessions')).json.sessions).toHaveLength(1);
  });

  it("cannot see or end another user's sessions", async () => {
    const a = await signedIn();
    const b = await signedIn();
    const r = await a.c.delete(`/v1/sessions/${b.login.json.session.id}`);
    expect(r.status).toBe(404);
    expect((await b.c.get('/v1/session')).status).toBe(200);
  });

  it('revoke-others keeps this one; revoke-all ends all and clears the cookie', async () => {
    const { email, c } = await signedIn();
    const others = [new Client(server.url), new Client(server.url)];
    for (const o of others) await o.post('/v1/login', { email, password: PASSWORD });
    const r = await c.post('/v1/sessions/revoke-others');
    expect(r.json).toEqual({ ended: 2 });
    for (const o of others) expect((await o.get('/v1/session')).json.error.reason).toBe('revoked');
    const third = new Client(server.url);
    await third.post('/v1/login', { email, password: PASSWORD });
    const all = await c.post('/v1/sessions/revoke-all');
    expect(all.json).toEqual({ ended: 2 });
    expect(all.headers.getSetCookie()[0]).toMatch(/Max-Age=0/);
    expect((await third.get('/v1/session')).json.error.reason).toBe('revoked_all');
  });

  it('changes the password: other sessions end, this one gets a new token', async () => {
    const { email, c, login } = await signedIn();
    const other = new Client(server.url);
    await other.post('/v1/login', { email, password: PASSWORD });
    const bad = await c.post('/v1/password', { currentPassword: 'wrong one', newPassword: 'new long passphrase' });
    expect(bad.status).toBe(401);
    const short = await c.post('/v1/password', { currentPassword: PASSWORD, newPassword: 'short' });
    expect(short.status).toBe(400);
    expect(short.json.error.details.field).toBe('newPassword');
    const r = await c.post('/v1/password', { currentPassword: PASSWORD, newPassword: 'new long passphrase' });
    expect(r.status).toBe(200);
    expect(r.json.token).not.toBe(login.json.token);
    expect((await c.get('/v1/session')).status).toBe(200); // the cookie was renewed
    expect((await other.get('/v1/session')).json.error.reason).toBe('password_changed');
    const old = await new Client(server.url).get('/v1/session', { authorization: `Bearer ${login.json.token}` });
    expect(old.json.error.code).toBe('invalid_token');
  });

  it('explains every reason with the configured numbers', async () => {
    const r = await new Client(server.url).get('/v1/reasons/idle_timeout');
    expect(r.json.message).toBe('You were signed out after 30 minutes without activity.');
    expect((await new Client(server.url).get('/v1/reasons/nonsense')).status).toBe(400);
  });

  it('answers health, readiness and metrics', async () => {
    const c = new Client(server.url);
    expect((await c.get('/healthz')).status).toBe(200);
    expect((await c.get('/readyz')).json).toMatchObject({ status: 'ready', store: server.storeKind });
    const m = await c.get('/metrics');
    expect(m.text).toContain('sessiond_sessions_started_total');
  });
});
