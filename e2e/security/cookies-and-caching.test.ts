import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startAdminServer, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const NEVER_ISSUED = `${'A'.repeat(22)}.${'B'.repeat(43)}`;

describe('cookies, caching and what answers reveal', () => {
  let server: ServerProcess;
  let admin: Client;
  let n = 0;
  const signedIn = async (extra: Record<string, unknown> = {}) => {
    const email = `cc${++n}@example.com`;
    const c = new Client(server.url);
    await c.post('/v1/signup', { email, password: PASSWORD });
    const login = await c.post('/v1/login', { email, password: PASSWORD, ...extra });
    expect(login.status).toBe(200);
    return { email, c, login };
  };
  beforeAll(async () => ({ server, admin } = await startAdminServer()));
  afterAll(() => server.stop());

  it('every answer that carries a token or session data has Cache-Control: no-store', async () => {
    const { email, c, login } = await signedIn({ rememberMe: true });
    const userId = login.json.user.id;
    const token = await new Client(server.url).post('/v1/login', { email, password: PASSWORD, mode: 'token' });
    const answers: [string, { status: number; headers: Headers }][] = [
      ['login', login],
      ['login, token mode', token],
      ['who am I', await c.get('/v1/session')],
      ['extend', await c.post('/v1/session/extend')],
      ['sessions', await c.get('/v1/sessions')],
      ['devices', await c.get('/v1/devices')],
      ['totp setup', await c.post('/v1/totp/setup')],
      ['reauth', await c.post('/v1/session/reauth', { password: PASSWORD })],
      ['refresh', await new Client(server.url).post('/v1/session/refresh', { refreshToken: token.json.refreshToken })],
      ['admin start', await admin.post('/v1/admin/sessions', { userId })],
      ['admin start, token mode', await admin.post('/v1/admin/sessions', { userId, mode: 'token' })],
      ['admin list', await admin.get(`/v1/admin/users/${userId}/sessions`)],
      ['admin audit', await admin.get(`/v1/admin/audit?userId=${userId}`)],
      ['an error', await new Client(server.url).get('/v1/session', { authorization: `Bearer ${NEVER_ISSUED}` })],
      ['password', await c.post('/v1/password', { currentPassword: PASSWORD, newPassword: 'another long passphrase' })],
    ];
    for (const [what, r] of answers) expect(`${what}: ${r.headers.get('cache-control')}`).toBe(`${what}: no-store`);
  });

  it('the session cookie lives for the browser session only, unless "Keep me signed in" (capped by its absolute timeout)', async () => {
    const all = (await signedIn()).login.headers.getSetCookie();
    // Besides it, only sessiond's browser cookie (SPEC §13): an id, not a credential, kept ~400 days.
    const plain = all.filter((c) => !c.startsWith('sessiond_browser='));
    expect(plain).toHaveLength(1);
    expect(plain[0]).toMatch(/^sessiond=[\w-]{22}\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(all[1]).toMatch(/^sessiond_browser=[\w-]{22}\.[\w-]{22}\.[\w-]{22}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=34560000$/);
    const kept = (await signedIn({ rememberMe: true })).login.headers.getSetCookie();
    const maxAge = Number(/Max-Age=(\d+)/.exec(kept[0]!)![1]);
    expect(maxAge).toBeGreaterThan(29 * 86_400);
    expect(maxAge).toBeLessThanOrEqual(30 * 86_400);
    for (const cookie of [...plain, ...kept]) expect(cookie).not.toMatch(/Domain=|Expires=/i);
  });

  it('logout and revoke-all clear the cookie and send Clear-Site-Data; a dead cookie is removed', async () => {
    const one = await signedIn();
    const out = await one.c.post('/v1/logout');
    expect(out.headers.get('clear-site-data')).toBe('"cookies"');
    expect(out.headers.getSetCookie()[0]).toMatch(/^sessiond=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0$/);
    const two = await signedIn();
    const all = await two.c.post('/v1/sessions/revoke-all');
    expect(all.headers.get('clear-site-data')).toBe('"cookies"');
    expect(all.headers.getSetCookie()[0]).toMatch(/^sessiond=; .*Max-Age=0$/);
    // The browser still sending the old cookie is told why, and told to drop it.
    const dead = await new Client(server.url).get('/v1/session', { cookie: `sessiond=${two.login.json.token}` });
    expect(dead.json.error.reason).toBe('revoked_all');
    expect(dead.headers.getSetCookie()[0]).toMatch(/^sessiond=; .*Max-Age=0$/);
  });

  it('a credential presented before sign-in is never adopted (fixation, ASVS 7.2.4)', async () => {
    const email = `fixation${++n}@example.com`;
    const victim = new Client(server.url);
    await victim.post('/v1/signup', { email, password: PASSWORD });
    victim.cookies.set('sessiond', NEVER_ISSUED);
    const login = await victim.post('/v1/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    const issued = /^sessiond=([^;]+)/.exec(login.headers.getSetCookie()[0]!)![1];
    expect(issued).toBe(login.json.token);
    expect(issued).not.toBe(NEVER_ISSUED);
    expect(login.json.token.startsWith(NEVER_ISSUED.split('.')[0]!)).toBe(false);
    const planted = await new Client(server.url).get('/v1/session', { cookie: `sessiond=${NEVER_ISSUED}` });
    expect(planted.status).toBe(401);
    expect(planted.json.error.code).toBe('invalid_token');
  });

  it('no answer, list or audit event echoes a secret or its stored hash', async () => {
    const { c, login } = await signedIn({ rememberMe: true });
    const token = await new Client(server.url).post('/v1/login', { email: login.json.user.email, password: PASSWORD, mode: 'token' });
    // The browser cookie is `<browserId>.<session id>`: public ids, not secrets.
    const cookies = [...c.cookies].filter(([name]) => name !== 'sessiond_browser').map(([, value]) => value);
    const secrets = [login.json.token, token.json.refreshToken, ...cookies].map((t: string) => t.split('.')[1]!);
    const needles = [...secrets, ...secrets.map((s) => createHash('sha256').update(s).digest('base64url')), PASSWORD];
    const bodies = [
      (await c.get('/v1/session')).text,
      (await c.get('/v1/sessions')).text,
      (await c.get('/v1/devices')).text,
      (await admin.get(`/v1/admin/users/${login.json.user.id}/sessions`)).text,
      (await admin.get(`/v1/admin/audit?userId=${login.json.user.id}`)).text,
      (await new Client(server.url).get('/metrics')).text,
    ];
    for (const body of bodies) for (const needle of needles) expect(body).not.toContain(needle);
  });
});

describe('behind HTTPS, every cookie sessiond sets or clears is __Host- and Secure (ASVS 3.3.1, 3.3.3)', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ SESSIOND_PUBLIC_URL: 'https://auth.example.com' });
  });
  afterAll(() => server.stop());

  it('on sign-in, re-authentication, password change and logout', async () => {
    const c = new Client(server.url, { origin: 'https://auth.example.com' });
    await c.post('/v1/signup', { email: 'host@example.com', password: PASSWORD });
    const cookies = [
      ...(await c.post('/v1/login', { email: 'host@example.com', password: PASSWORD, rememberMe: true })).headers.getSetCookie(),
      ...(await c.post('/v1/session/reauth', { password: PASSWORD })).headers.getSetCookie(),
      ...(await c.post('/v1/password', { currentPassword: PASSWORD, newPassword: 'another long passphrase' })).headers.getSetCookie(),
      ...(await c.post('/v1/logout')).headers.getSetCookie(),
    ];
    expect(cookies).toHaveLength(6);
    for (const cookie of cookies) {
      // A browser ignores a __Host- cookie without Secure, Path=/ or with Domain: clearing one included.
      expect(cookie).toMatch(/^__Host-sessiond(-device|-browser)?=[^;]*; Path=\/; HttpOnly; SameSite=Lax; Secure(; Max-Age=\d+)?$/);
    }
    expect(cookies.at(-1)).toMatch(/^__Host-sessiond=; .*Max-Age=0$/);
    // The unprefixed development name is not read over HTTPS: it could have been planted by a subdomain.
    expect((await new Client(server.url).get('/v1/session', { cookie: `sessiond=${NEVER_ISSUED}` })).json.error.code).toBe('unauthenticated');
  });
});
