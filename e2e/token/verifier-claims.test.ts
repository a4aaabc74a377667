import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateRequest, createVerifier, requireAmr, requireFreshness } from '@sessiond/verifier';
import { Client, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';

/** requireFreshness and requireAmr on a real sessiond's tokens (auth_time, amr: branch apifix). */
describe('@sessiond/verifier requirements on sessiond’s tokens', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  it('a fresh password sign-in passes requireFreshness and fails requireAmr("otp")', async () => {
    const c = new Client(server.url);
    await c.post('/v1/signup', { email: 'claims@example.com', password: PASSWORD });
    const t = (await c.post('/v1/login', { email: 'claims@example.com', password: PASSWORD, mode: 'token' })).json;
    const { iss } = JSON.parse(Buffer.from(String(t.accessToken).split('.')[1]!, 'base64url').toString()) as { iss: string };
    // The default issuer is the address the server printed.
    expect(iss).toBe(server.url);
    const verifier = createVerifier({ issuer: server.url, jwksUrl: `${server.url}/.well-known/jwks.json`, audience: 'web' });
    const request = new Request('http://rs/payouts', { headers: { authorization: `Bearer ${t.accessToken}` } });
    const fresh = await authenticateRequest(verifier, request, { require: [requireFreshness(60_000)] });
    expect(fresh).toMatchObject({ ok: true, auth: { clientId: 'web', amr: ['pwd'] } });
    expect(await authenticateRequest(verifier, request, { require: [requireAmr('otp')] })).toMatchObject({ ok: false, status: 403, body: { error: { code: 'reauth_required', details: { amr: 'otp' } } } });
    verifier.close();
  });
});
