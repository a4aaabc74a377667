import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../harness.ts';
import { Browserish, signInThroughProvider } from './browserish.ts';
import { startOidcWorld, type OidcWorld } from './setup.ts';

// The provider's access tokens live 2 s: activity refreshes them from 1 s on.
const TTL_S = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let w: OidcWorld;
beforeAll(async () => {
  // No back-channel logout registered here: what ends these sessions must be the refused refresh itself.
  w = await startOidcWorld({ endSessionAtProvider: true, keepUpstreamFresh: true }, {}, { backchannel: false, accessTokenTtlS: TTL_S });
});
afterAll(async () => {
  if (process.env.DEBUG_OIDC) console.log(w?.sessiond.output());
  await w?.stop();
});

async function signIn(login: string) {
  const b = new Browserish();
  await signInThroughProvider(b, `${w.url}/v1/oidc/acme/start`, login);
  const api = new Client(w.url);
  api.cookies.set('sessiond', b.cookie(w.url, 'sessiond')!);
  return { b, api };
}

const passive = { 'x-sessiond-passive': '1' };

async function until(check: () => Promise<boolean>, ms = 3_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (await check()) return true;
  return check();
}

describe('keepUpstreamFresh (SPEC §15)', () => {
  it('activity refreshes the provider tokens in the background; a passive request never does', async () => {
    const { api } = await signIn('uma');
    const before = w.acme.refreshes.length;
    await sleep((TTL_S * 1000) / 2 + 100);
    expect((await api.get('/v1/session', passive)).status).toBe(200);
    await sleep(200);
    expect(w.acme.refreshes.length).toBe(before);
    expect((await api.get('/v1/session')).status).toBe(200);
    expect(await until(async () => w.acme.refreshes.length > before)).toBe(true);
    expect(w.acme.refreshes.slice(before)).toMatchObject([{ ok: true }]);
    // Past the first token's own expiry, the session still answers (the refreshed token vouches for it).
    await sleep(TTL_S * 1000);
    expect((await api.get('/v1/session')).status).toBe(200);
  });

  it('an unreachable provider is 503 provider_unavailable once the upstream token expired, never an ending, and recovers', async () => {
    const { api } = await signIn('vera');
    await w.acme.stop();
    try {
      await sleep(TTL_S * 1000 + 100);
      const res = await api.get('/v1/session');
      expect(res.status).toBe(503);
      expect(res.json.error.code).toBe('provider_unavailable');
      expect(res.headers.get('retry-after')).toBe('2');
      // Passive requests do not ask the provider, and the session is still there.
      expect((await api.get('/v1/session', passive)).status).toBe(200);
    } finally {
      await w.acme.restart();
    }
    const back = await api.get('/v1/session');
    expect(back.status, JSON.stringify(w.acme.refreshes)).toBe(200);
  });

  it('a refresh the provider refuses ends the session with sso_ended', async () => {
    const { b, api } = await signIn('walt');
    // Signing out at the provider revokes its grant (and so the refresh token); no back-channel logout is registered.
    const page = await b.follow(`${w.acme.issuer}/session/end`);
    await b.submitForm(page, { logout: 'yes' });
    expect((await api.get('/v1/session', passive)).status).toBe(200);
    await sleep((TTL_S * 1000) / 2 + 100);
    const first = await api.get('/v1/session');
    // Refreshed behind the answer while the upstream token is still valid; the ending follows at once.
    expect([200, 401]).toContain(first.status);
    let ended: { status: number; json: any } | null = null;
    expect(
      await until(async () => {
        ended = await api.get('/v1/session', passive);
        return ended.status === 401;
      }),
    ).toBe(true);
    expect(ended!.json.error).toMatchObject({ code: 'session_ended', reason: 'sso_ended', message: "Your organisation's sign-in (Acme SSO) ended your session." });
  });
});

describe('endSessionAtProvider (RP-initiated logout)', () => {
  it("gives the provider's end_session URL with id_token_hint; the person ends up signed out at both", async () => {
    const { b, api } = await signIn('xena');
    const res = await api.get('/v1/oidc/end-session');
    expect(res.status).toBe(200);
    const url = new URL(res.json.endSessionUrl);
    expect(url.origin).toBe(w.acme.issuer);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${w.url}/login`);
    expect(url.searchParams.get('id_token_hint')!.split('.')).toHaveLength(3);
    expect((await api.post('/v1/logout')).status).toBe(204);
    const page = await b.follow(url.href);
    const done = await b.submitForm(page, { logout: 'yes' });
    expect(done.url).toMatch(new RegExp(`^${w.url}/login`));
    // Signed out at the provider: a new sign-in asks for the login again.
    const again = await b.follow(`${w.url}/v1/oidc/acme/start`);
    expect(new URL(again.url).pathname).toMatch(/^\/interaction\//);
    expect(await again.res.text()).toContain('Enter any login');
  });

  it('answers null for a session that is not SSO', async () => {
    const c = new Client(w.url);
    await c.post('/v1/signup', { email: 'yuri@example.test', password: 'a long enough password 1' });
    await c.post('/v1/login', { email: 'yuri@example.test', password: 'a long enough password 1' });
    expect((await c.get('/v1/oidc/end-session')).json).toEqual({ endSessionUrl: null });
  });
});
