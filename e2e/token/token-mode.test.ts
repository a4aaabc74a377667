import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, runCli, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const ADMIN = 'token-mode-admin-token-0123456789';
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('token mode', () => {
  let server: ServerProcess;
  let api: Client;
  let n = 0;
  const tokenLogin = async () => {
    const email = `tok${++n}@example.com`;
    await api.post('/v1/signup', { email, password: PASSWORD });
    const r = await api.post('/v1/login', { email, password: PASSWORD, mode: 'token', app: 'mobile' });
    expect(r.status).toBe(200);
    return r.json as { accessToken: string; accessTokenExpiresAt: string; refreshToken: string; session: { id: string } };
  };
  const me = (token: string) => new Client(server.url).get('/v1/session', { authorization: `Bearer ${token}` });
  const refresh = (refreshToken: string, extra: Record<string, unknown> = {}) => new Client(server.url).post('/v1/session/refresh', { refreshToken, ...extra });

  beforeAll(async () => {
    server = await startServer({ SESSIOND_REFRESH_GRACE: '1s', SESSIOND_ACCESS_TOKEN_TTL: '1m', SESSIOND_ADMIN_TOKEN: ADMIN, SESSIOND_APPS: 'web,mobile' });
    api = new Client(server.url);
  });
  afterAll(() => server.stop());

  it('signs in with an access JWT and a refresh token, and no cookie', async () => {
    const email = 'nocookie@example.com';
    await api.post('/v1/signup', { email, password: PASSWORD });
    const r = await new Client(server.url).post('/v1/login', { email, password: PASSWORD, mode: 'token' });
    expect(r.headers.getSetCookie()).toEqual([]);
    expect(r.json.token).toBeUndefined();
    const [h, p] = r.json.accessToken.split('.');
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) });
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    expect(claims).toMatchObject({ sub: r.json.user.id, sid: r.json.session.id, app: 'web', iss: new URL(server.url).origin });
    expect(claims.exp - claims.iat).toBe(60);
    expect(Date.parse(r.json.accessTokenExpiresAt)).toBe(claims.exp * 1000);
    expect((await me(r.json.accessToken)).json.session.id).toBe(r.json.session.id);
  });

  it('rotates the refresh token on every use; the old one answers the same successor within the grace', async () => {
    const t = await tokenLogin();
    const r1 = await refresh(t.refreshToken);
    expect(r1.status).toBe(200);
    expect(r1.json.refreshToken).not.toBe(t.refreshToken);
    expect((await me(r1.json.accessToken)).status).toBe(200);
    const again = await refresh(t.refreshToken);
    expect(again.json.refreshToken).toBe(r1.json.refreshToken);
    const r2 = await refresh(r1.json.refreshToken);
    expect(r2.status).toBe(200);
  });

  it('20 parallel refreshes of one token all get the same successor; the session stays alive', async () => {
    const t = await tokenLogin();
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(t.refreshToken)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(results.map((r) => r.json.refreshToken)).size).toBe(1);
    const next = await refresh(results[0]!.json.refreshToken);
    expect(next.status).toBe(200);
    expect((await me(next.json.accessToken)).status).toBe(200);
  });

  it('reuse of a rotated token after the grace ends the session (refresh_token_reused)', async () => {
    const t = await tokenLogin();
    const r1 = await refresh(t.refreshToken);
    await new Promise((r) => setTimeout(r, 1300));
    const stolen = await refresh(t.refreshToken);
    expect(stolen.status).toBe(401);
    expect(stolen.json.error).toMatchObject({ code: 'session_ended', reason: 'refresh_token_reused' });
    expect(stolen.json.error.message).toMatch(/protect your account/);
    // The legitimate holder is signed out too, everywhere, at once.
    expect((await refresh(r1.json.refreshToken)).json.error.reason).toBe('refresh_token_reused');
    expect((await me(r1.json.accessToken)).json.error.reason).toBe('refresh_token_reused');
  });

  it('a forged refresh token for a real session id ends nothing', async () => {
    const t = await tokenLogin();
    const forged = `${t.session.id}.${'A'.repeat(43)}`;
    expect((await refresh(forged)).json.error.code).toBe('invalid_token');
    expect((await refresh(t.refreshToken)).status).toBe(200);
  });

  it('rejects tampered and forged access tokens', async () => {
    const t = await tokenLogin();
    const [h, p, s] = t.accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const jwks = (await api.get('/.well-known/jwks.json')).json;
    const pub = jwks.keys[0];
    const flipped = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
    const hs256 = (() => {
      const header = b64({ alg: 'HS256', typ: 'at+jwt', kid: pub.kid });
      const body = b64(claims);
      return `${header}.${body}.${createHmac('sha256', JSON.stringify(pub)).update(`${header}.${body}`).digest('base64url')}`;
    })();
    const forgeries = {
      'alg none': `${b64({ alg: 'none', typ: 'at+jwt' })}.${p}.`,
      'HS256 keyed with the public key': hs256,
      'flipped signature bit': `${h}.${p}.${flipped}`,
      'changed subject': `${h}.${b64({ ...claims, sub: 'someone-else' })}.${s}`,
      'wrong typ': `${b64({ alg: 'EdDSA', kid: pub.kid, typ: 'JWT' })}.${p}.${s}`,
      'embedded jwk': `${b64({ alg: 'EdDSA', typ: 'at+jwt', jwk: pub })}.${p}.${s}`,
      'unknown crit': `${b64({ alg: 'EdDSA', typ: 'at+jwt', kid: pub.kid, crit: ['x-unknown'], 'x-unknown': 1 })}.${p}.${s}`,
      'refresh token as bearer': t.refreshToken,
    };
    for (const [name, token] of Object.entries(forgeries)) {
      const r = await me(token);
      expect(r.status, name).toBe(401);
      expect(r.json.error.code, name).toBe('invalid_token');
    }
    expect((await refresh(t.accessToken)).json.error.code).toBe('invalid_token'); // an access token is not a refresh token
  });

  it('an ended session rejects its still-unexpired access token on the server at once', async () => {
    const t = await tokenLogin();
    expect((await new Client(server.url).post('/v1/logout', {}, { authorization: `Bearer ${t.accessToken}` })).status).toBe(204);
    expect((await me(t.accessToken)).json.error).toMatchObject({ code: 'session_ended', reason: 'logged_out' });
  });

  it('rotates signing keys: old tokens stay valid, both keys are published, no session ends', async () => {
    const t = await tokenLogin();
    const before = (await api.get('/.well-known/jwks.json')).json.keys.map((k: { kid: string }) => k.kid);
    const admin = new Client(server.url, { authorization: `Bearer ${ADMIN}` });
    const rotated = await admin.post('/v1/admin/keys/rotate');
    expect(rotated.status).toBe(200);
    const after = (await api.get('/.well-known/jwks.json')).json.keys.map((k: { kid: string }) => k.kid);
    expect(after).toEqual(expect.arrayContaining([...before, rotated.json.kid]));
    expect((await me(t.accessToken)).status).toBe(200);
    const r = await refresh(t.refreshToken);
    const header = JSON.parse(Buffer.from(r.json.accessToken.split('.')[0], 'base64url').toString());
    expect(header.kid).toBe(rotated.json.kid);
    expect((await me(r.json.accessToken)).status).toBe(200);
  });
});

describe('token mode deadlines and the CLI', () => {
  it('a refresh after the idle deadline fails with that reason and never extends the absolute one', async () => {
    const server = await startServer({ SESSIOND_IDLE_TIMEOUT: '2s', SESSIOND_ABSOLUTE_TIMEOUT: '1h' });
    try {
      const api = new Client(server.url);
      await api.post('/v1/signup', { email: 'idle-token@example.com', password: PASSWORD });
      const t = (await api.post('/v1/login', { email: 'idle-token@example.com', password: PASSWORD, mode: 'token' })).json;
      const r1 = await api.post('/v1/session/refresh', { refreshToken: t.refreshToken });
      expect(r1.json.session.absoluteExpiresAt).toBe(t.session.absoluteExpiresAt);
      const passive = await api.post('/v1/session/refresh', { refreshToken: r1.json.refreshToken, passive: true });
      expect(passive.json.session.idleExpiresAt).toBe(r1.json.session.idleExpiresAt);
      await new Promise((r) => setTimeout(r, 2200));
      const late = await api.post('/v1/session/refresh', { refreshToken: passive.json.refreshToken });
      expect(late.json.error).toMatchObject({ code: 'session_ended', reason: 'idle_timeout' });
    } finally {
      await server.stop();
    }
  });

  it('`sessiond keys rotate` adds a key to the JWKS', async () => {
    const { mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/sessiond-keys-');
    const env = { SESSIOND_STORE: `sqlite:${dir}/k.db`, SESSIOND_DATA_DIR: dir };
    const server = await startServer(env);
    const before = (await new Client(server.url).get('/.well-known/jwks.json')).json.keys.length;
    await server.stop();
    const r = await runCli(['keys', 'rotate'], env);
    expect(r.stdout).toMatch(/new signing key/);
    const again = await startServer(env);
    try {
      expect((await new Client(again.url).get('/.well-known/jwks.json')).json.keys.length).toBe(before + 1);
    } finally {
      await again.stop();
    }
  });
});
