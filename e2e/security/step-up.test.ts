import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startAdminServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const FRESHNESS_MS = 1000;
const stale = () => new Promise((r) => setTimeout(r, FRESHNESS_MS + 200));

describe('step-up: ending sessions and changing factors need a recent authentication', () => {
  let server: ServerProcess;
  let admin: Client;
  let n = 0;
  /** A user signed in twice, each from its own address (the throttle counts per address). */
  const twoSessions = async () => {
    const email = `stepup${++n}@example.com`;
    const ip = { 'x-forwarded-for': `198.51.100.${n}` };
    const a = new Client(server.url, ip);
    await a.post('/v1/signup', { email, password: PASSWORD });
    const first = await a.post('/v1/login', { email, password: PASSWORD });
    const b = new Client(server.url, ip);
    const second = await b.post('/v1/login', { email, password: PASSWORD, app: 'desktop' });
    return { email, a, b, first, second };
  };
  const events = async (userId: string) => (await admin.get(`/v1/admin/audit?userId=${userId}`)).json.events as { type: string; data: Record<string, unknown> }[];

  beforeAll(async () => ({ server, admin } = await startAdminServer({ SESSIOND_FRESHNESS: '1s', SESSIOND_TRUST_PROXY: '1' })));
  afterAll(() => server.stop());

  it('a stale session cannot end other sessions (ASVS 7.5.2): 403 reauth_required, and nothing ends', async () => {
    const { a, b, second } = await twoSessions();
    await stale();
    for (const r of [await a.delete(`/v1/sessions/${second.json.session.id}`), await a.post('/v1/sessions/revoke-others'), await a.post('/v1/sessions/revoke-all')]) {
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe('reauth_required');
      expect(r.json.error.message).toMatch(/confirm your password/);
      expect(r.json.error.details.freshnessMs).toBe(FRESHNESS_MS);
    }
    expect((await b.get('/v1/session')).status).toBe(200);
    expect((await a.get('/v1/sessions')).json.sessions).toHaveLength(2);
  });

  it('re-authenticating renews the token, drops the old one, and then allows ending sessions', async () => {
    const { a, b, first, second } = await twoSessions();
    await stale();
    const re = await a.post('/v1/session/reauth', { password: PASSWORD });
    expect(re.status).toBe(200);
    expect(re.headers.get('cache-control')).toBe('no-store');
    expect(re.headers.getSetCookie()[0]).toMatch(new RegExp(`^sessiond=${re.json.token}; Path=/; HttpOnly; SameSite=Lax$`));
    expect(re.json.token).not.toBe(first.json.token);
    expect(re.json.session.id).toBe(first.json.session.id);
    const old = await new Client(server.url).get('/v1/session', { authorization: `Bearer ${first.json.token}` });
    expect(old.json.error.code).toBe('invalid_token');
    expect((await a.delete(`/v1/sessions/${second.json.session.id}`)).status).toBe(204);
    expect((await b.get('/v1/session')).json.error.reason).toBe('revoked');
    const all = await a.post('/v1/sessions/revoke-all');
    expect(all.status).toBe(200);
    expect(all.headers.get('clear-site-data')).toBe('"cookies"');
  });

  it('a password change with the current password is itself the re-authentication', async () => {
    const { a, first } = await twoSessions();
    await stale();
    expect((await a.post('/v1/totp/setup')).json.error.code).toBe('reauth_required');
    const changed = await a.post('/v1/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' });
    expect(changed.status).toBe(200);
    expect(changed.json.token).not.toBe(first.json.token);
    expect((await a.post('/v1/totp/setup')).status).toBe(200); // fresh again
  });

  it('with two-factor on, re-authentication needs the code too', async () => {
    const { a, first } = await twoSessions();
    const setup = await a.post('/v1/totp/setup');
    expect((await a.post('/v1/totp/enable', { code: await generate({ secret: setup.json.secret }) })).status).toBe(200);
    await stale();
    expect((await a.post('/v1/totp/disable', { code: '123456' })).json.error.code).toBe('reauth_required');
    const noCode = await a.post('/v1/session/reauth', { password: PASSWORD });
    expect(noCode.status).toBe(401);
    expect(noCode.json.error.code).toBe('totp_required');
    const wrongCode = await a.post('/v1/session/reauth', { password: PASSWORD, totp: '000000' });
    expect(wrongCode.json.error).toMatchObject({ code: 'invalid_credentials', details: { field: 'totp' } });
    // The enabling code's step is spent; the next step's code is accepted as one step of drift.
    const code = await generate({ secret: setup.json.secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    const re = await a.post('/v1/session/reauth', { password: PASSWORD, totp: code });
    expect(re.status).toBe(200);
    const kinds = (await events(first.json.user.id)).map((e) => e.type);
    expect(kinds).toContain('session.reauthenticated');
    expect(kinds).toContain('login.failed');
  });

  it('wrong passwords at re-authentication and password change are throttled and logged like sign-ins', async () => {
    const { a, first } = await twoSessions();
    for (let i = 0; i < 3; i++) expect((await a.post('/v1/session/reauth', { password: `guess number ${i}` })).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await a.post('/v1/password', { currentPassword: `guess again ${i}`, newPassword: 'whatever new passphrase' })).status).toBe(401);
    const blocked = await a.post('/v1/password', { currentPassword: PASSWORD, newPassword: 'whatever new passphrase' });
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.code).toBe('rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await a.post('/v1/session/reauth', { password: PASSWORD })).status).toBe(429);
    const log = await events(first.json.user.id);
    expect(log.filter((e) => e.type === 'login.failed').map((e) => e.data.step).sort()).toEqual(['password_change', 'password_change', 'reauth', 'reauth', 'reauth']);
    expect(log.filter((e) => e.type === 'login.throttled').length).toBeGreaterThanOrEqual(2);
    expect((await a.get('/v1/session')).status).toBe(200); // throttling never ends the session
  });
});
