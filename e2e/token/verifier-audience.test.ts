import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type ServerProcess } from '../harness.ts';
import { createVerifier } from '@sessiond/verifier';

describe('@sessiond/verifier', () => {
  let server: ServerProcess;
  let issuer: string;
  beforeAll(async () => {
    server = await startServer({ SESSIOND_APPS: 'web,mobile' });
    issuer = server.url;
  });
  afterAll(() => server.stop());

  const tokenFor = async (app: string) => {
    const c = new Client(server.url);
    const email = `${app}-${Math.random().toString(36).slice(2)}@example.com`;
    await c.post('/v1/signup', { email, password: 'correct horse battery' });
    return (await c.post('/v1/login', { email, password: 'correct horse battery', mode: 'token', app })).json.accessToken as string;
  };

  it('verifies offline and refuses tokens minted for another app (aud)', async () => {
    const jwksUrl = `${server.url}/.well-known/jwks.json`;
    const mobile = await tokenFor('mobile');
    const any = createVerifier({ issuer, jwksUrl, audience: 'any' });
    expect(await any.verify(mobile)).toMatchObject({ app: 'mobile' });
    const webOnly = createVerifier({ issuer, jwksUrl, audience: 'web' });
    await expect(webOnly.verify(mobile)).rejects.toMatchObject({ code: 'invalid_token' });
    expect(await webOnly.verify(await tokenFor('web'))).toMatchObject({ app: 'web' });
    const wrongIssuer = createVerifier({ issuer: 'https://other.example', jwksUrl, audience: 'any' });
    // Says what is wrong, with both values: the commonest integration mistake, found in a minute.
    const { iss } = JSON.parse(Buffer.from(mobile.split('.')[1]!, 'base64url').toString()) as { iss: string };
    await expect(wrongIssuer.verify(mobile)).rejects.toMatchObject({ code: 'invalid_token', message: `The access token is not valid: issuer mismatch (expected "https://other.example", got "${iss}").` });
    // One signature character changed, well inside it: the last ones may carry only padding bits.
    const i = mobile.length - 20;
    const forged = mobile.slice(0, i) + (mobile[i] === 'A' ? 'B' : 'A') + mobile.slice(i + 1);
    await expect(any.verify(forged)).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('cannot be built without an audience: accepting every app is a choice made out loud', () => {
    const jwksUrl = `${server.url}/.well-known/jwks.json`;
    // @ts-expect-error: the type requires it too; plain JavaScript callers get the error.
    expect(() => createVerifier({ issuer, jwksUrl })).toThrow(/"audience" is required.*audience: "any"/);
    expect(() => createVerifier({ issuer, jwksUrl, audience: [] })).toThrow(/"audience" is required/);
  });
});
