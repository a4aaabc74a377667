import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';

const tokenFrom = async (url: string, email: string, origin = new URL(url).origin) => {
  const c = new Client(url, { origin });
  await c.post('/v1/signup', { email, password: PASSWORD });
  return (await c.post('/v1/login', { email, password: PASSWORD, mode: 'token' })).json.accessToken as string;
};

/** One default: the URL the server prints is the tokens' issuer and where their keys are. */
describe('the default issuer', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  it('is the printed URL’s origin, and the JWKS there verifies the token with that issuer', async () => {
    const printed = new URL(server.url).origin;
    const token = await tokenFrom(server.url, 'issuer@example.com');
    expect(decodeJwt(token).iss).toBe(printed);
    const jwks = createRemoteJWKSet(new URL(`${printed}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(token, jwks, { issuer: printed });
    expect(payload.iss).toBe(printed);
  });

  it('still accepts the loopback aliases as origins for the cookie', async () => {
    const c = new Client(server.url);
    await c.post('/v1/signup', { email: 'alias@example.com', password: PASSWORD });
    await c.post('/v1/login', { email: 'alias@example.com', password: PASSWORD });
    const port = new URL(server.url).port;
    expect((await c.post('/v1/session/extend', {}, { origin: `http://localhost:${port}` })).status).toBe(200);
    expect((await c.post('/v1/session/extend', {}, { origin: 'http://localhost:1' })).status).toBe(403);
  });

  it('with SESSIOND_PUBLIC_URL, that is the issuer, and the start-up line says so', async () => {
    const behind = await startServer({ SESSIOND_PUBLIC_URL: 'https://auth.example.test' });
    try {
      expect(behind.output()).toMatch(/sessiond listening on http:\/\/127\.0\.0\.1:\d+ \(store: \w+, public URL and token issuer https:\/\/auth\.example\.test\)/);
      expect(decodeJwt(await tokenFrom(behind.url, 'behind@example.com', 'https://auth.example.test')).iss).toBe('https://auth.example.test');
    } finally {
      await behind.stop();
    }
  });
});
