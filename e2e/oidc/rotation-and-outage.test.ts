import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer } from '../harness.ts';
import { Browserish, signInThroughProvider } from './browserish.ts';
import { SECRET_A, startOidcWorld, writeConfig, type OidcWorld } from './setup.ts';
import { freePort, TestProvider } from './test-provider.ts';

let w: OidcWorld;
beforeAll(async () => {
  w = await startOidcWorld();
});
afterAll(async () => {
  await w?.stop();
});

async function signIn(login: string) {
  const b = new Browserish();
  const done = await signInThroughProvider(b, `${w.url}/v1/oidc/acme/start?next=/settings/security/sessions`, login);
  const api = new Client(w.url);
  const cookie = b.cookie(w.url, 'sessiond');
  if (cookie) api.cookies.set('sessiond', cookie);
  return { b, done, api };
}

describe('the provider rotates its keys', () => {
  it('ID tokens and logout tokens signed with the new key are accepted; the old key is gone', async () => {
    const before = await signIn('rosa');
    expect((await before.api.get('/v1/session')).status).toBe(200);
    // A hard rotation: the old key leaves the provider's JWKS at once and the new one signs.
    await w.acme.restart({ rotateTo: 'key-2' });
    const after = await signIn('rosa');
    expect(after.done.url).toBe(`${w.url}/settings/security/sessions`);
    // openid-client would look the keys up again only once its copy is a minute old: sessiond did at once.
    expect(w.sessiond.output()).toContain('fetching them again (key rotation)');
    const me = await after.api.get('/v1/session');
    expect(me.status).toBe(200);
    expect(me.json.session.sso.provider).toBe('acme');
    // The session from before the rotation lives on: a key change is no ending.
    expect((await before.api.get('/v1/session')).status).toBe(200);
    // A logout token under the new key: sessiond fetches the keys again and ends both.
    const token = await w.acme.logoutToken('sessiond', { sub: 'rosa' });
    const res = await fetch(`${w.url}/v1/oidc/acme/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }) });
    expect(res.status).toBe(200);
    for (const s of [before, after]) expect((await s.api.get('/v1/session')).json.error.reason).toBe('sso_logout');
  });
});

describe('the provider cannot be reached (SPEC §15: 503 provider_unavailable, never an ending)', () => {
  it('a callback during an outage answers 503 and ends nothing; sign-in works again once it is back', async () => {
    const signedIn = await signIn('otto');
    const b = new Browserish();
    const cb = await signInThroughProvider(b, `${w.url}/v1/oidc/acme/start`, 'otto', { stopAtCallback: true });
    await w.acme.stop();
    try {
      const res = await b.request(cb.url);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
      expect((await res.json()).error).toMatchObject({ code: 'provider_unavailable', message: expect.stringContaining('Acme SSO') });
      // The session signed in before the outage is untouched by it.
      expect((await signedIn.api.get('/v1/session')).status).toBe(200);
    } finally {
      await w.acme.restart();
    }
    const again = await signIn('otto');
    expect((await again.api.get('/v1/session')).status).toBe(200);
  });

  it('sessiond starts while a provider is down, answers 503 for it, and recovers by itself when it comes up', async () => {
    const port = await freePort();
    const sessiondPort = await freePort();
    const url = `http://127.0.0.1:${sessiondPort}`;
    const dead = `http://127.0.0.1:${port}`;
    const server = await startServer({ PORT: String(sessiondPort), SESSIOND_PUBLIC_URL: url, SESSIOND_CONFIG: writeConfig(dead, w.beta.issuer) });
    let provider: TestProvider | null = null;
    try {
      // Logged, not fatal: discovery runs after listening, and fails fast on a refused connection.
      for (const until = Date.now() + 5_000; Date.now() < until && !/cannot be reached yet/.test(server.output()); ) await new Promise((r) => setTimeout(r, 50));
      expect(server.output()).toMatch(/identity provider \\"acme\\" .* cannot be reached yet|identity provider "acme" .* cannot be reached yet/);
      const providers = await new Client(url).get('/v1/oidc/providers');
      expect(providers.json.providers.map((p: { name: string }) => p.name)).toEqual(['acme', 'beta']);
      const down = await new Browserish().request(`${url}/v1/oidc/acme/start`);
      expect(down.status).toBe(503);
      expect((await down.json()).error.code).toBe('provider_unavailable');
      provider = await TestProvider.start([{ client_id: 'sessiond', client_secret: SECRET_A, redirect_uris: [`${url}/v1/oidc/acme/callback`] }], { port });
      // Discovery is retried at most once a second: the first request after that gets through.
      let status = 0;
      for (const until = Date.now() + 5_000; Date.now() < until && status !== 302; ) {
        status = (await new Browserish().request(`${url}/v1/oidc/acme/start`)).status;
        if (status !== 302) await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe(302);
      const b = new Browserish();
      await signInThroughProvider(b, `${url}/v1/oidc/acme/start`, 'quinn');
      expect(b.cookie(url, 'sessiond')).toBeDefined();
    } finally {
      await server.stop();
      await provider?.stop();
    }
  });
});
