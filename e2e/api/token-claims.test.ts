import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const ADMIN = 'token-claims-admin-token-0123456789';
const KEK = randomBytes(32).toString('base64');
const seconds = () => Math.floor(Date.now() / 1000);

/** RFC 9068 / RFC 8176 claims of access tokens: who the client is, when and how the person authenticated. */
describe('access-token claims: client_id, auth_time, amr', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ SESSIOND_ADMIN_TOKEN: ADMIN, SESSIOND_KEY_ENCRYPTION_KEY: KEK });
  });
  afterAll(() => server.stop());

  const signUp = async (email: string) => {
    const c = new Client(server.url);
    expect((await c.post('/v1/signup', { email, password: PASSWORD })).status).toBe(201);
    return c;
  };

  it('a password sign-in carries client_id = the app, amr ["pwd"] and auth_time; a refresh moves neither', async () => {
    const c = await signUp('claims-pwd@example.com');
    const before = seconds();
    const login = await c.post('/v1/login', { email: 'claims-pwd@example.com', password: PASSWORD, mode: 'token', app: 'desktop' });
    expect(login.status).toBe(200);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(login.json.accessToken, jwks, { audience: 'desktop' });
    expect(payload).toMatchObject({ client_id: 'desktop', app: 'desktop', amr: ['pwd'], sub: login.json.user.id, sid: login.json.session.id });
    expect(payload.auth_time).toBeGreaterThanOrEqual(before);
    expect(payload.auth_time).toBeLessThanOrEqual(seconds());

    // A refresh is not an authentication: a later iat, the same auth_time and amr.
    await new Promise((r) => setTimeout(r, 1100));
    const refreshed = await c.post('/v1/session/refresh', { refreshToken: login.json.refreshToken });
    expect(refreshed.status).toBe(200);
    const after = decodeJwt(refreshed.json.accessToken);
    expect(after.iat).toBeGreaterThan(payload.iat!);
    expect(after).toMatchObject({ client_id: 'desktop', auth_time: payload.auth_time, amr: ['pwd'] });
  });

  it('a sign-in that checked a TOTP code or a recovery code carries amr ["pwd", "otp"]', async () => {
    const c = await signUp('claims-otp@example.com');
    await c.post('/v1/login', { email: 'claims-otp@example.com', password: PASSWORD });
    const setup = await c.post('/v1/totp/setup');
    const enabled = await c.post('/v1/totp/enable', { code: await generate({ secret: setup.json.secret }) });
    expect(enabled.status).toBe(200);
    const withCode = await new Client(server.url).post('/v1/login', {
      email: 'claims-otp@example.com',
      password: PASSWORD,
      mode: 'token',
      // The enable used this step's code: the next step's is accepted as one step of drift.
      totp: await generate({ secret: setup.json.secret, epoch: seconds() + 30 }),
    });
    expect(withCode.status).toBe(200);
    expect(decodeJwt(withCode.json.accessToken).amr).toEqual(['pwd', 'otp']);
    const withRecovery = await new Client(server.url).post('/v1/login', { email: 'claims-otp@example.com', password: PASSWORD, mode: 'token', totp: enabled.json.recoveryCodes[0] });
    expect(withRecovery.status).toBe(200);
    expect(decodeJwt(withRecovery.json.accessToken).amr).toEqual(['pwd', 'otp']);
  });

  it('a session the admin API started claims no auth_time or amr until the person re-authenticates here', async () => {
    await signUp('claims-admin@example.com');
    const admin = new Client(server.url, { authorization: `Bearer ${ADMIN}` });
    const user = (await admin.post('/v1/login', { email: 'claims-admin@example.com', password: PASSWORD })).json.user;
    const started = await admin.post('/v1/admin/sessions', { userId: user.id, mode: 'token', app: 'api' });
    expect(started.status).toBe(200);
    const vouched = decodeJwt(started.json.accessToken);
    expect(vouched.client_id).toBe('api');
    // sessiond saw no authentication: a resource server asking for freshness or a method refuses it.
    expect(vouched).not.toHaveProperty('auth_time');
    expect(vouched).not.toHaveProperty('amr');

    await new Promise((r) => setTimeout(r, 1100));
    const person = new Client(server.url, { authorization: `Bearer ${started.json.accessToken}` });
    const reauth = await person.post('/v1/session/reauth', { password: PASSWORD });
    expect(reauth.status).toBe(200);
    const refreshed = await new Client(server.url).post('/v1/session/refresh', { refreshToken: started.json.refreshToken });
    expect(refreshed.status).toBe(200);
    const confirmed = decodeJwt(refreshed.json.accessToken);
    expect(confirmed.amr).toEqual(['pwd']);
    expect(confirmed.auth_time).toBeGreaterThan(vouched.iat!);
  });
});
