import { SessiondError } from '@sessiond/core';
import { oidc as C } from '@sessiond/contract';
import * as client from 'openid-client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ContractInstance } from '../contract/openapi.ts';
import type { AppContext } from '../context.ts';
import { authenticate, requestContext, setSessionCookie } from '../http/auth.ts';
import { browserOf, readBrowserCookie, setBrowserCookie } from '../http/browser-cookie.ts';
import { readCookie } from '../http/cookies.ts';
import { FlowCookie, type FlowState } from './flow-cookie.ts';
import type { Oidc } from './index.ts';
import { requireMode } from '../routes/auth.ts';
import { publicUser, type SessionRecord, type UserRecord } from '@sessiond/core';
import { viewOf } from '../http/views.ts';
import { isUnreachable, unavailable } from './provider.ts';

const callbackProblem = (problem: string) => new SessiondError('invalid_request.oidc_callback', { facts: { problem } });

/** The purpose a sealed provider token is bound to: one person at one issuer. */
export const tokenPurpose = (kind: 'id_token' | 'refresh_token', issuer: string, subject: string) => `sso ${kind} ${JSON.stringify([issuer, subject])}`;

/** SPEC §15's routes: thin, the checks are openid-client's (ID token) and LogoutTokens' (logout token). */
export function oidcRoutes(oidc: Oidc) {
  return async function routes(f: ContractInstance, app: AppContext): Promise<void> {
    const now = () => app.sessiond.clock.now();

    f.get('/v1/oidc/providers', { schema: C.providers }, async () => ({
      providers: [...oidc.providers.values()].map((p) => ({ name: p.name, label: p.label, startUrl: `/v1/oidc/${p.name}/start` })),
    }));

    f.get('/v1/oidc/:provider/start', { schema: C.start }, async (req, reply) => {
      const provider = oidc.provider(req.params.provider);
      const appName = req.query.app ?? 'web';
      app.sessiond.requireRegisteredApp(appName);
      const mode = requireMode(app, req.query.mode ?? 'cookie');
      // Step-up: only for this browser's own SSO session at this provider.
      let reauthSessionId: string | null = null;
      if (req.query.reauth === '1') {
        const token = readCookie(req.headers.cookie, app.cookieNames.session);
        const current = token ? await app.sessiond.sessions.validateToken(token, { ...requestContext(req), passive: true }) : null;
        if (!current) throw new SessiondError('unauthenticated');
        if (current.sso?.provider !== provider.name) throw new SessiondError('forbidden.sso_other_account');
        reauthSessionId = current.id;
      }
      const config = await provider.configuration();
      const codeVerifier = client.randomPKCECodeVerifier();
      const flow = { provider: provider.name, state: client.randomState(), nonce: client.randomNonce(), codeVerifier, app: appName, mode, next: oidc.safeNext(req.query.next), expiresAt: FlowCookie.expiresAt(now()), retried: req.query.retry === '1', reauthSessionId, startedAt: now() };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: oidc.redirectUri(provider.name),
        scope: provider.config.scopes.join(' '),
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
        ...(reauthSessionId ? { prompt: 'login', max_age: '0' } : {}),
      });
      oidc.flow.set(reply, flow);
      return reply.header('cache-control', 'no-store').redirect(url.href, 302);
    });

    f.get('/v1/oidc/:provider/callback', { schema: C.callback }, async (req, reply) => {
      const provider = oidc.provider(req.params.provider);
      reply.header('cache-control', 'no-store');
      const { flow, arrived } = oidc.flow.take(req.headers.cookie, reply, now());
      // No flow cookie back, and no other cookie of ours either: this browser probably keeps none
      // of this site's cookies (blocked for the site, issue #17), so starting again would only come
      // back here again. (Or the sign-in was started in another browser.) Either way nobody is signed in.
      const keptNoCookie = !arrived && !Object.values(app.cookieNames).some((name) => readCookie(req.headers.cookie, name) !== null);
      try {
        return await callback(req, reply, provider, flow, keptNoCookie);
      } catch (e) {
        // A person in a browser (the provider sent them back here) gets a page with what happened,
        // not JSON: "You cancelled…" or "could not be completed". Scripts keep the error.
        if (!(e instanceof SessiondError) || !wantsPage(req.headers.accept)) throw e;
        const outcome = req.query.error === 'access_denied' ? 'cancelled' : keptNoCookie ? 'cookies_blocked' : 'failed';
        if (flow?.reauthSessionId) {
          // A step-up: the person is still signed in (the sign-in page would only forward them), so
          // back to the page that asked, which says nothing was changed. Their session may have
          // ended meanwhile (`unauthenticated`, `session_ended`): that page then asks them to sign in.
          if (e.key !== 'invalid_request.oidc_callback' && !STEP_UP_SESSION_CODES.has(e.code)) throw e;
          app.logger.info({ provider: provider.name, problem: e.message }, 'SSO step-up not completed');
          return reply.redirect(withQuery(flow.next, { stepup: outcome }), 303);
        }
        if (e.key !== 'invalid_request.oidc_callback') throw e;
        app.logger.info({ provider: provider.name, problem: e.message }, 'SSO sign-in not completed');
        const query = new URLSearchParams({ sso: outcome, provider: provider.name, ...(flow ? { next: flow.next } : {}) });
        return reply.redirect(`${app.config.basePath}/login?${query}`, 303);
      }
    });

    async function callback(req: FastifyRequest, reply: FastifyReply, provider: ReturnType<Oidc['provider']>, flow: FlowState | null, keptNoCookie: boolean) {
      // No flow: none came back (cookies blocked, or started in another browser: login CSRF), or
      // the one that came back took too long, is another flow's, or was already used.
      if (!flow) throw callbackProblem(keptNoCookie ? 'this browser sent back no cookie of this site: it probably blocks them, or the sign-in was started in another browser' : 'the sign-in was not started in this browser, took too long, or was already used');
      if (flow.provider !== provider.name) throw callbackProblem('the answer came from another provider than the sign-in was started with');
      const config = await provider.configuration();
      const currentUrl = new URL(oidc.url(req.url));
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        // Checks state, the iss response parameter (RFC 9207) when the provider sends it, PKCE, and
        // the ID token as OIDC Core §3.1.3.7 requires: signature, iss, aud, azp, exp, iat, nonce.
        tokens = await client.authorizationCodeGrant(config, currentUrl, { pkceCodeVerifier: flow.codeVerifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
      } catch (e) {
        if (isUnreachable(e)) throw unavailable(provider.config);
        if ((e as { code?: unknown }).code === 'OAUTH_KEY_SELECTION_FAILED' && !flow.retried) {
          // Signed with a key we have not fetched yet (the provider rotated): fetch its keys afresh and
          // start once more. The provider still has its session, so the person sees no second login.
          provider.forget();
          app.logger.warn({ provider: provider.name }, `identity provider "${provider.name}" signed with a key not in its keys as fetched: fetching them again (key rotation)`);
          return reply.redirect(`${app.config.basePath}/v1/oidc/${provider.name}/start?${new URLSearchParams({ app: flow.app, mode: flow.mode, next: flow.next, retry: '1', ...(flow.reauthSessionId ? { reauth: '1' } : {}) })}`, 303);
        }
        throw callbackProblem(problemOf(e));
      }
      const claims = tokens.claims();
      if (!claims) throw callbackProblem('the provider sent no ID token');
      const at = now();
      if (flow.reauthSessionId) {
        // The provider must have authenticated the person during this flow, not earlier (max_age=0).
        const authTime = typeof claims.auth_time === 'number' ? claims.auth_time * 1000 : 0;
        if (authTime < flow.startedAt - 5_000) throw callbackProblem('the provider did not authenticate you again');
        const token = readCookie(req.headers.cookie, app.cookieNames.session);
        const current = token ? await app.sessiond.sessions.validateToken(token, requestContext(req)) : null;
        if (!current || current.id !== flow.reauthSessionId) throw new SessiondError('unauthenticated');
        const renewed = await app.sessiond.sso.reauthenticate(current, claims.iss, claims.sub);
        setSessionCookie(reply, app, renewed.token);
        return reply.redirect(flow.next, 303);
      }
      const seal = (kind: 'id_token' | 'refresh_token', value: string | undefined) => (value ? oidc.sealer.seal(value, tokenPurpose(kind, claims.iss, claims.sub)) : null);
      const ctx = requestContext(req);
      const browser = flow.mode === 'cookie' ? browserOf(req, app) : readBrowserCookie(req, app);
      const signedIn = await app.sessiond.sso.signIn({
        link: {
          provider: provider.name,
          label: provider.label,
          issuer: claims.iss,
          subject: claims.sub,
          sid: typeof claims.sid === 'string' ? claims.sid : null,
          idToken: provider.config.endSessionAtProvider ? seal('id_token', tokens.id_token) : null,
          refreshToken: provider.config.keepUpstreamFresh ? seal('refresh_token', tokens.refresh_token) : null,
          ...upstreamTimes(tokens.expires_in, at),
        },
        email: typeof claims.email === 'string' ? claims.email : null,
        // Only a real `true`: some providers send "true" as text, or nothing, for addresses they never checked.
        emailVerified: claims.email_verified === true,
        linkByEmail: provider.config.linkByEmail,
        app: flow.app,
        mode: flow.mode,
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        browserId: browser?.browserId ?? null,
      });
      app.metrics.sessionsStarted.inc({ app: signedIn.session.app });
      if (signedIn.session.mode === 'token') oidc.flow.setHandoff(reply, signedIn.token, now());
      else {
        setSessionCookie(reply, app, signedIn.token);
        setBrowserCookie(reply, app, browser!.browserId, signedIn.session.id);
      }
      return reply.redirect(flow.next, 303);
    }

    f.post('/v1/oidc/tokens', { schema: C.tokens }, async (req, reply) => {
      reply.header('cache-control', 'no-store');
      // The handoff cookie is not the session cookie, so the general CSRF check does not see it: checked here.
      const origin = req.headers.origin;
      if (typeof origin !== 'string' || !app.allowedOrigins.has(origin)) throw new SessiondError('csrf_failed');
      const token = oidc.flow.takeHandoff(req.headers.cookie, reply, now());
      if (!token) throw new SessiondError('unauthenticated');
      const session = await app.sessiond.sessions.validateToken(token, requestContext(req));
      // Once: a session whose refresh state exists has had its tokens.
      if (session.mode !== 'token' || session.refresh !== null || !session.sso) throw new SessiondError('unauthenticated');
      const user = await app.sessiond.users.get(session.userId);
      return reply.send(await sendTokens(app, session, user));
    });

    // Asked before signing out (POST /v1/logout), so the page can then send the browser to the
    // provider. Passive: asking is not activity.
    f.get('/v1/oidc/end-session', { preHandler: authenticate(app, { passive: true }), schema: C.endSession }, async (req, reply) => {
      reply.header('cache-control', 'no-store');
      const sso = req.session!.sso;
      const provider = sso ? oidc.providers.get(sso.provider) : undefined;
      if (!sso || !provider?.config.endSessionAtProvider || !sso.idToken) return { endSessionUrl: null };
      const idToken = oidc.sealer.open(sso.idToken, tokenPurpose('id_token', sso.issuer, sso.subject));
      let config: client.Configuration;
      try {
        config = await provider.configuration();
      } catch {
        // Signing out here must still work when the provider is away; it ends its own session later.
        return { endSessionUrl: null };
      }
      if (!idToken || !config.serverMetadata().end_session_endpoint) return { endSessionUrl: null };
      const url = client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: oidc.url('/login'), client_id: provider.config.clientId });
      return { endSessionUrl: url.href };
    });

    // Logout tokens arrive as a form post (Back-Channel Logout 1.0 §2.5); only this route reads forms.
    f.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    f.post('/v1/oidc/:provider/backchannel-logout', { schema: C.backchannelLogout }, async (req, reply) => {
      const provider = oidc.provider(req.params.provider);
      reply.header('cache-control', 'no-store');
      const logout = await oidc.logoutTokensOf(provider.name).verify(req.body.logout_token);
      const ended = await app.sessiond.sso.logout({ ...logout, label: provider.label });
      app.logger.info({ provider: provider.name, ended: ended.length }, 'back-channel logout');
      return reply.code(200).send();
    });
  };
}

/** Why a step-up's callback finds no session of its own to renew: it ended, or the cookie is gone or changed. */
const STEP_UP_SESSION_CODES: ReadonlySet<string> = new Set(['unauthenticated', 'invalid_token', 'session_ended']);

/** `next` (a path of our origin, maybe with a query and a fragment) with `params` set in its query. */
function withQuery(next: string, params: Record<string, string>): string {
  const url = new URL(next, 'http://x');
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.pathname + url.search + url.hash;
}

/** A top-level navigation by a browser, as opposed to a script or a test's client. */
const wantsPage = (accept: string | undefined) => typeof accept === 'string' && accept.includes('text/html');

/** What went wrong, for the person and the operator; never a token's content. */
function problemOf(e: unknown): string {
  if (e instanceof client.AuthorizationResponseError) return `the provider answered ${e.error}`;
  if (e instanceof client.ResponseBodyError) return `the provider refused the code (${e.error})`;
  // openid-client wraps oauth4webapi's precise error (which claim) in a general one: read both.
  const message = [e, (e as { cause?: unknown } | null)?.cause].map((x) => (x instanceof Error ? x.message : '')).join(' ');
  if (/state/i.test(message)) return 'its state does not match';
  if (/nonce/i.test(message)) return 'its nonce does not match';
  if (/"iss"|issuer/i.test(message)) return 'it names another issuer';
  if (/aud/i.test(message)) return 'it is for another client';
  return 'the answer could not be verified';
}

/** When the provider's access token expires, and from when activity refreshes it (half its lifetime). */
export function upstreamTimes(expiresIn: number | undefined, at: number): { upstreamExpiresAt: number | null; upstreamRefreshAt: number | null } {
  if (typeof expiresIn !== 'number' || expiresIn <= 0) return { upstreamExpiresAt: null, upstreamRefreshAt: null };
  return { upstreamExpiresAt: at + expiresIn * 1000, upstreamRefreshAt: at + (expiresIn * 1000) / 2 };
}

/** The token-mode login answer for an SSO session (as POST /v1/login with mode token). */
async function sendTokens(app: AppContext, session: SessionRecord, user: UserRecord) {
  const tokens = await app.tokenMode!.issueFor(session);
  return { user: publicUser(user), session: viewOf(app, session, session.id), ...tokens } as never;
}
