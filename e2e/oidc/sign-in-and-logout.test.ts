import { randomBytes } from 'node:crypto';
import { SignJWT, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sealer } from '../../packages/server/src/oidc/seal.ts';
import { subkey } from '../../packages/server/src/token-mode/secrets.ts';
import { Client } from '../harness.ts';
import { Browserish, signInThroughProvider } from './browserish.ts';
import { startOidcWorld, type OidcWorld } from './setup.ts';
import { signingKey } from './test-provider.ts';

let w: OidcWorld;
/** Known here, so a test can age a flow cookie as ten minutes would (it is sealed under a subkey of it). */
const KEK = randomBytes(32);
beforeAll(async () => {
  // A short freshness window, so the step-up test needs no long wait.
  w = await startOidcWorld({}, { SESSIOND_FRESHNESS: '1s', SESSIOND_KEY_ENCRYPTION_KEY: KEK.toString('base64') });
});
afterAll(async () => {
  if (process.env.DEBUG_OIDC) console.log(w?.sessiond.output());
  await w?.stop();
});

/** Signs `login` in at acme through sessiond; returns the browser and an API client holding its session cookie. */
async function signIn(login: string, next = '/settings/security/sessions') {
  const b = new Browserish();
  const done = await signInThroughProvider(b, `${w.url}/v1/oidc/acme/start?next=${encodeURIComponent(next)}`, login);
  const api = new Client(w.url);
  const cookie = b.cookie(w.url, 'sessiond');
  if (cookie) api.cookies.set('sessiond', cookie);
  return { b, done, api };
}

const backchannel = (provider: string, body: string) =>
  fetch(`${w.url}/v1/oidc/${provider}/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
const postLogoutToken = (token: string, provider = 'acme') => backchannel(provider, new URLSearchParams({ logout_token: token }).toString());

describe('sign-in through an identity provider (SPEC §15)', () => {
  it('lists the providers for the sign-in page', async () => {
    const res = await new Client(w.url).get('/v1/oidc/providers');
    expect(res.status).toBe(200);
    expect(res.json.providers).toEqual([
      { name: 'acme', label: 'Acme SSO', startUrl: '/v1/oidc/acme/start' },
      { name: 'beta', label: 'Beta ID', startUrl: '/v1/oidc/beta/start' },
    ]);
  });

  it('redirects to the provider with authorization code, PKCE (S256), state and nonce; nothing secret in the URL', async () => {
    const res = await new Browserish().request(`${w.url}/v1/oidc/acme/start`);
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(to.origin).toBe(w.acme.issuer);
    const q = Object.fromEntries(to.searchParams);
    expect(q).toMatchObject({ response_type: 'code', client_id: 'sessiond', code_challenge_method: 'S256', redirect_uri: `${w.url}/v1/oidc/acme/callback` });
    expect(q.state!.length).toBeGreaterThanOrEqual(22);
    expect(q.nonce!.length).toBeGreaterThanOrEqual(22);
    expect(q.code_challenge!.length).toBe(43);
    expect(to.href).not.toContain('secret');
    // The verifier, state and nonce stay in this browser, sealed, HttpOnly, for minutes only: the
    // minutes are sealed inside; the cookie itself is a browser-session one (no Max-Age), so a
    // flow that took too long still comes back and is told apart from no cookie at all.
    expect(res.headers.get('set-cookie')).toMatch(/^sessiond_oidc=v1\.[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  it('signs a person in through the login page and shows the session as an SSO one', async () => {
    const { done, api } = await signIn('alice');
    expect(done.url).toBe(`${w.url}/settings/security/sessions`);
    const me = await api.get('/v1/session');
    expect(me.status).toBe(200);
    expect(me.json.user.email).toBe('alice@example.test');
    expect(me.json.session.sso).toEqual({ provider: 'acme', label: 'Acme SSO' });
    const list = await api.get('/v1/sessions');
    expect(list.json.sessions[0].sso).toEqual({ provider: 'acme', label: 'Acme SSO' });
  });

  it('finds the same person again by (issuer, sub)', async () => {
    const first = await (await signIn('carol')).api.get('/v1/session');
    const again = await (await signIn('carol')).api.get('/v1/session');
    expect(again.json.user.id).toBe(first.json.user.id);
  });

  it('never links to an existing account by email unless linkByEmail (off here)', async () => {
    const c = new Client(w.url);
    expect((await c.post('/v1/signup', { email: 'dora@example.test', password: 'a long enough password 1' })).status).toBe(201);
    const b = new Browserish();
    const done = await signInThroughProvider(b, `${w.url}/v1/oidc/acme/start`, 'dora');
    expect(done.res.status).toBe(409);
    expect((await done.res.json()).error.code).toBe('email_taken');
    expect(b.cookie(w.url, 'sessiond')).toBeUndefined();
  });

  it('mode=token: the page at `next` takes its tokens once, handed over by a cookie, never in a URL', async () => {
    const b = new Browserish();
    const done = await signInThroughProvider(b, `${w.url}/v1/oidc/acme/start?mode=token&next=/demo`, 'tina');
    expect(done.url).toBe(`${w.url}/demo`);
    expect(b.cookie(w.url, 'sessiond')).toBeUndefined();
    const handoff = b.cookie(w.url, 'sessiond_oidc_handoff')!;
    expect(handoff).toMatch(/^v1\./);
    const take = (origin: string) => fetch(`${w.url}/v1/oidc/tokens`, { method: 'POST', headers: { cookie: `sessiond_oidc_handoff=${handoff}`, origin } });
    expect((await take('https://evil.example')).status).toBe(403);
    const res = await take(w.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.json();
    expect(body.session).toMatchObject({ sso: { provider: 'acme', label: 'Acme SSO' } });
    expect(body.refreshToken).toBeTruthy();
    const me = await new Client(w.url).get('/v1/session', { authorization: `Bearer ${body.accessToken}` });
    expect(me.status).toBe(200);
    expect(me.json.user.email).toBe('tina@example.test');
    // Once: the same handoff again gets nothing.
    expect((await take(w.url)).status).toBe(401);
  });

  it('goes to `next` only on our own origin', async () => {
    for (const [next, to] of [['https://evil.example/x', '/'], ['//evil.example/x', '/'], ['/\\evil.example', '/'], ['/.//evil.example', '/'], ['/%2e//evil.example', '/'], ['/demo?x=1#y', '/demo?x=1#y']]) {
      const b = new Browserish();
      const cb = await signInThroughProvider(b, `${w.url}/v1/oidc/acme/start?next=${encodeURIComponent(next!)}`, 'erin', { stopAtCallback: true });
      const res = await b.request(cb.url);
      expect(res.status, next).toBe(303);
      expect(res.headers.get('location'), next).toBe(to);
    }
  });

  it('refuses a callback in a browser that did not start the sign-in (login CSRF)', async () => {
    const b = new Browserish();
    const cb = await signInThroughProvider(b, `${w.url}/v1/oidc/acme/start`, 'mallory', { stopAtCallback: true });
    const other = new Browserish();
    const res = await other.request(cb.url);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('invalid_request');
    // The right browser, once: the flow cookie is used up.
    expect((await b.request(cb.url)).status).toBe(303);
    expect((await b.request(cb.url)).status).toBe(400);
  });

  it('sends a person whose sign-in failed back to the sign-in page with what happened (scripts keep the JSON)', async () => {
    const page = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const b = new Browserish();
    const cb = await signInThroughProvider(b, `${w.url}/v1/oidc/acme/start?next=${encodeURIComponent('/demo')}`, 'petra', { stopAtCallback: true });
    // Another browser that has a cookie of this site (login CSRF): no flow, so no `next` either.
    const other = new Browserish();
    other.setCookie(w.url, 'sessiond_browser', 'some-browser');
    const res0 = await other.request(cb.url, { accept: page });
    expect(res0.status).toBe(303);
    expect(res0.headers.get('location')).toBe('/login?sso=failed&provider=acme');
    expect(b.cookie(w.url, 'sessiond')).toBeUndefined();
    // The person cancelled at the provider: it answers `error=access_denied` with the state.
    const cancelled = new URL(cb.url);
    for (const k of [...cancelled.searchParams.keys()]) if (k !== 'state' && k !== 'iss') cancelled.searchParams.delete(k);
    cancelled.searchParams.set('error', 'access_denied');
    const res = await b.request(cancelled.href, { accept: page });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?sso=cancelled&provider=acme&next=%2Fdemo');
    expect(b.cookie(w.url, 'sessiond')).toBeUndefined();
  });

  it('a callback that gets no cookie of this site back says the browser probably blocks them; an expired, foreign or used-up flow cookie is still "failed" (issue #17)', async () => {
    const page = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const sealer = new Sealer(subkey(KEK, 'oidc sealing'));
    const b = new Browserish();
    const cb = await signInThroughProvider(b, `${w.url}/v1/oidc/acme/start?next=${encodeURIComponent('/demo')}`, 'quinn', { stopAtCallback: true });
    const flowCookie = b.cookie(w.url, 'sessiond_oidc')!;

    // No cookie at all, as from a browser that blocks this site's: starting again would loop.
    const blocked = await new Browserish().request(cb.url, { accept: page });
    expect(blocked.status).toBe(303);
    expect(blocked.headers.get('location')).toBe('/login?sso=cookies_blocked&provider=acme');
    // Scripts keep their 400 JSON; nobody is signed in (login CSRF protection is the same).
    const script = await new Browserish().request(cb.url);
    expect(script.status).toBe(400);
    expect((await script.json()).error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/probably blocks/) });

    // The same flow, ten minutes later: it still comes back (a browser-session cookie), expired inside.
    const flow = JSON.parse(sealer.open(flowCookie, 'oidc sign-in flow')!);
    const late = new Browserish();
    late.setCookie(w.url, 'sessiond_oidc', sealer.seal(JSON.stringify({ ...flow, expiresAt: Date.now() - 1_000 }), 'oidc sign-in flow'));
    const expired = await late.request(cb.url, { accept: page });
    expect(expired.headers.get('location')).toBe('/login?sso=failed&provider=acme');
    expect(late.cookie(w.url, 'sessiond')).toBeUndefined();

    // Another flow's cookie (another sign-in started in that browser): its state does not match.
    const foreign = new Browserish();
    await foreign.request(`${w.url}/v1/oidc/acme/start`);
    const res = await foreign.request(cb.url, { accept: page });
    expect(res.headers.get('location')).toBe('/login?sso=failed&provider=acme&next=%2F');
    expect(foreign.cookie(w.url, 'sessiond')).toBeUndefined();
    // A damaged one is no flow either.
    const damaged = new Browserish();
    damaged.setCookie(w.url, 'sessiond_oidc', flowCookie.slice(0, -4));
    expect((await damaged.request(cb.url, { accept: page })).headers.get('location')).toBe('/login?sso=failed&provider=acme');

    // The right browser signs in once; the used-up flow's marker makes a replay "failed", and signs no one in.
    expect((await b.request(cb.url, { accept: page })).headers.get('location')).toBe('/demo');
    const signedIn = b.cookie(w.url, 'sessiond');
    expect(signedIn).toBeDefined();
    const replayer = new Browserish();
    replayer.setCookie(w.url, 'sessiond_oidc', b.cookie(w.url, 'sessiond_oidc')!);
    const replay = await replayer.request(cb.url, { accept: page });
    expect(replay.headers.get('location')).toBe('/login?sso=failed&provider=acme');
    expect(replayer.cookie(w.url, 'sessiond')).toBeUndefined();
  });

  it('refuses an ID token whose nonce is not the one this browser was given', async () => {
    const b = new Browserish();
    const cb = await signInThroughProvider(b, `${w.url}/v1/oidc/acme/start`, 'nina', {
      stopAtCallback: true,
      rewriteAuthorization: (u) => {
        u.searchParams.set('nonce', 'a-nonce-the-attacker-chose-000000');
        return u;
      },
    });
    const res = await b.request(cb.url);
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/nonce/);
    expect(b.cookie(w.url, 'sessiond')).toBeUndefined();
  });

  it("refuses another provider's answer at this provider's callback (mix-up: iss)", async () => {
    const b = new Browserish();
    // Started at acme; a malicious beta sends the person through its own login and back to acme's callback.
    const cb = await signInThroughProvider(b, `${w.url}/v1/oidc/acme/start`, 'ivan', {
      stopAtCallback: true,
      rewriteAuthorization: (u) => new URL(`${w.beta.issuer}${u.pathname}${u.search}`),
    });
    expect(new URL(cb.url).searchParams.get('iss')).toBe(w.beta.issuer);
    const res = await b.request(cb.url);
    expect(res.status).toBe(400);
    expect(b.cookie(w.url, 'sessiond')).toBeUndefined();
  });
});

describe('step-up through the provider', () => {
  it('a fresh authentication at the provider lets an SSO session end other sessions; another account there does not', async () => {
    const one = await signIn('sam');
    const two = await signIn('sam');
    const twoId = (await two.api.get('/v1/session')).json.session.id;
    await new Promise((r) => setTimeout(r, 1_100));
    const stale = await one.api.delete(`/v1/sessions/${twoId}`);
    expect(stale.json.error.code).toBe('reauth_required');

    // Someone else's account at the provider does not confirm this session's person. (A browser
    // without sam's provider session: at oidc-provider, switching accounts in one would sign sam out there.)
    const elsewhere = new Browserish();
    elsewhere.setCookie(w.url, 'sessiond', one.b.cookie(w.url, 'sessiond')!);
    const wrong = await signInThroughProvider(elsewhere, `${w.url}/v1/oidc/acme/start?reauth=1&next=/settings/security/sessions`, 'not-sam');
    expect(wrong.res.status).toBe(403);
    expect((await wrong.res.json()).error.code).toBe('forbidden');

    const oldCookie = one.b.cookie(w.url, 'sessiond')!;
    const done = await signInThroughProvider(one.b, `${w.url}/v1/oidc/acme/start?reauth=1&next=/settings/security/sessions`, 'sam');
    expect(done.url).toBe(`${w.url}/settings/security/sessions`);
    const renewed = one.b.cookie(w.url, 'sessiond')!;
    expect(renewed).not.toBe(oldCookie);
    const api = new Client(w.url);
    api.cookies.set('sessiond', renewed);
    expect((await api.delete(`/v1/sessions/${twoId}`)).status).toBe(204);
    expect((await two.api.get('/v1/session')).json.error.reason).toBe('revoked');
    // The token from before the step-up is gone (ASVS 7.2.4).
    expect((await new Client(w.url, { cookie: `sessiond=${oldCookie}` }).get('/v1/session')).json.error.code).toBe('invalid_token');
  });

  it('a step-up that confirms no one sends the browser back to the page that asked, still signed in, with stepup=cancelled|failed', async () => {
    const page = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const next = '/settings/security/sessions';
    const { b, api } = await signIn('ursula');
    const other = await signIn('ursula');
    const cookie = b.cookie(w.url, 'sessiond')!;
    const startReauth = () => signInThroughProvider(b, `${w.url}/v1/oidc/acme/start?reauth=1&next=${encodeURIComponent(`${next}?tab=1`)}`, 'ursula', { stopAtCallback: true });
    const keepOnly = (url: string, keys: string[]) => {
      const u = new URL(url);
      for (const k of [...u.searchParams.keys()]) if (!keys.includes(k)) u.searchParams.delete(k);
      return u;
    };

    // Cancelled at the provider: `error=access_denied` with the state. `next`'s own query is kept.
    const cancelled = keepOnly((await startReauth()).url, ['state', 'iss']);
    cancelled.searchParams.set('error', 'access_denied');
    const res = await b.request(cancelled.href, { accept: page });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${next}?tab=1&stepup=cancelled`);

    // Failed: the provider refuses the code.
    const failed = new URL((await startReauth()).url);
    failed.searchParams.set('code', 'not-a-code-the-provider-gave');
    const refused = await b.request(failed.href, { accept: page });
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe(`${next}?tab=1&stepup=failed`);

    // The browser holds another session by the time it comes back: `unauthenticated`, a page too, not JSON.
    const swapped = await startReauth();
    b.setCookie(w.url, 'sessiond', other.b.cookie(w.url, 'sessiond')!);
    const elsewhere = await b.request(swapped.url, { accept: page });
    expect(elsewhere.status).toBe(303);
    expect(elsewhere.headers.get('location')).toBe(`${next}?tab=1&stepup=failed`);
    // A script keeps the error.
    b.setCookie(w.url, 'sessiond', cookie);
    const script = keepOnly((await startReauth()).url, ['state', 'iss']);
    script.searchParams.set('error', 'access_denied');
    const json = await b.request(script.href);
    expect(json.status).toBe(400);
    expect((await json.json()).error.code).toBe('invalid_request');

    // Nothing was changed: the same token, still signed in, not renewed.
    expect(b.cookie(w.url, 'sessiond')).toBe(cookie);
    expect((await api.get('/v1/session')).status).toBe(200);
  });

  it('is refused without an SSO session of that provider', async () => {
    const res = await new Browserish().request(`${w.url}/v1/oidc/acme/start?reauth=1`);
    expect(res.status).toBe(401);
  });
});

describe('back-channel logout (Back-Channel Logout 1.0)', () => {
  it('the provider signs the person out: their SSO session ends with sso_logout and says which sign-in', async () => {
    const { b, api } = await signIn('frank');
    // The person signs out at the provider (its RP-initiated logout page): it sends the logout token itself.
    const page = await b.follow(`${w.acme.issuer}/session/end`);
    const before = w.acme.backchannel.length;
    await b.submitForm(page, { logout: 'yes' });
    expect(w.acme.backchannel.slice(before)).toMatchObject([{ ok: true }]);
    const me = await api.get('/v1/session');
    expect(me.status).toBe(401);
    expect(me.json.error).toMatchObject({ code: 'session_ended', reason: 'sso_logout', message: "Your organisation's sign-in (Acme SSO) signed you out." });
  });

  it('a token naming only sub ends every session of that account at this issuer; a replay ends nothing', async () => {
    const one = await signIn('gina');
    const two = await signIn('gina');
    const token = await w.acme.logoutToken('sessiond', { sub: 'gina' });
    expect((await postLogoutToken(token)).status).toBe(200);
    for (const s of [one, two]) expect((await s.api.get('/v1/session')).json.error.reason).toBe('sso_logout');
    const three = await signIn('gina');
    const replay = await postLogoutToken(token);
    expect(replay.status).toBe(400);
    expect((await replay.json()).error.message).toMatch(/used before/);
    expect((await three.api.get('/v1/session')).status).toBe(200);
  });

  it('refuses forged and malformed tokens with 400 and ends nothing', async () => {
    const { api } = await signIn('hank');
    // Forged: the right claims and even the provider's kid, signed with a key the provider never had.
    const forger = await importJWK(await signingKey('key-1'), 'RS256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, jti: 'forged-1', sub: 'hank' })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1', typ: 'logout+jwt' })
      .setIssuer(w.acme.issuer)
      .setAudience('sessiond')
      .setIssuedAt(now)
      .setExpirationTime(now + 120)
      .sign(forger);
    const cases: [string, string][] = [
      ['forged signature', forged],
      ['wrong aud (another client of the provider)', await w.acme.logoutToken('other-rp', { sub: 'hank' })],
      ['with a nonce', await w.acme.logoutToken('sessiond', { sub: 'hank' }, (set) => set('nonce', 'n-123'))],
      ['without the logout event', await w.acme.logoutToken('sessiond', { sub: 'hank' }, (set) => set('events', { 'http://example/other': {} }))],
      ['iat too old', await w.acme.logoutToken('sessiond', { sub: 'hank' }, (set) => set('iat', now - 3600))],
      ['not a JWT', 'not-a-jwt'],
      // Another provider's genuine token at this provider's endpoint (iss mix-up), for the same client id.
      ["beta's token at acme", await w.beta.logoutToken('sessiond', { sub: 'hank' })],
    ];
    for (const [name, token] of cases) {
      const res = await postLogoutToken(token);
      expect(res.status, name).toBe(400);
      expect((await res.json()).error.code, name).toBe('invalid_request');
    }
    expect((await backchannel('acme', 'nothing=here')).status).toBe(400);
    expect((await postLogoutToken('x', 'nobody')).status).toBe(404);
    expect((await api.get('/v1/session')).status).toBe(200);
  });

  it("refuses a token signed with the provider's own key whose typ is not logout+jwt, or that lacks jti, or names neither sid nor sub", async () => {
    const { api } = await signIn('ines');
    const now = Math.floor(Date.now() / 1000);
    const claims = (over: Record<string, unknown> = {}) => ({ iss: w.acme.issuer, aud: 'sessiond', iat: now, exp: now + 120, jti: `jti-${Math.random().toString(36).slice(2)}`, events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, sub: 'ines', ...over });
    const { sub: _sub, ...noSub } = claims();
    const { jti: _jti, ...noJti } = claims();
    const cases: [string, string, RegExp][] = [
      ['typ JWT (as an ID token)', await w.acme.signWithProviderKey(claims(), { typ: 'JWT' }), /typ is not logout\+jwt/],
      ['typ at+jwt', await w.acme.signWithProviderKey(claims(), { typ: 'at+jwt' }), /typ is not logout\+jwt/],
      ['without jti', await w.acme.signWithProviderKey(noJti, { typ: 'logout+jwt' }), /jti/],
      ['neither sid nor sub', await w.acme.signWithProviderKey(noSub, { typ: 'logout+jwt' }), /neither a sid nor a sub/],
    ];
    for (const [name, token, problem] of cases) {
      const res = await postLogoutToken(token);
      expect(res.status, name).toBe(400);
      expect((await res.json()).error.message, name).toMatch(problem);
    }
    expect((await api.get('/v1/session')).status).toBe(200);
    // The same signer with a good claim set is accepted, with typ logout+jwt or with no typ at all
    // (§2.3: explicit typing is checked when present): the refusals above are for what they changed.
    expect((await postLogoutToken(await w.acme.signWithProviderKey(claims({ sub: 'someone-not-signed-in' }), { typ: 'logout+jwt' }))).status).toBe(200);
    expect((await postLogoutToken(await w.acme.signWithProviderKey(claims()))).status).toBe(200);
    expect((await api.get('/v1/session')).json.error.reason).toBe('sso_logout');
  });
});
