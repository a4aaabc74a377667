import { normalizeIp, SessiondError, type RequestContext } from '@sessiond/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { readCookie, serializeCookie } from './cookies.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SIGN_IN_ROUTES = new Set(['/v1/login', '/v1/signup']);

/**
 * A request is passive (no activity, the idle timeout does not slide) when the client says so, or
 * when the browser says another site caused it: a link or form elsewhere sends the Lax cookie on
 * a top-level GET, and must not keep a person's session alive. Same-site callers (an app on a
 * sibling subdomain) still count as activity.
 */
export function requestContext(req: FastifyRequest): RequestContext {
  const passive = req.headers['x-sessiond-passive'] === '1' || req.headers['sec-fetch-site'] === 'cross-site';
  // An app's backend relaying for the person, its key checked (relayed-client.ts).
  const relayed = req.relayedClient;
  if (relayed) return { ip: relayed.ip, userAgent: relayed.userAgent, passive, relayedFor: relayed.app };
  const ua = req.headers['user-agent'];
  return { ip: normalizeIp(req.ip), userAgent: typeof ua === 'string' ? ua : null, passive };
}

type Credential = { kind: 'cookie' | 'bearer'; token: string } | { kind: 'jwt'; token: string };

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Exactly two dots, counted without splitting (this runs on every authenticated request). */
function hasThreeParts(token: string): boolean {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  return second >= 0 && token.indexOf('.', second + 1) < 0;
}

/** Bearer header first, then the session cookie. Session ids in URLs or other headers are ignored. */
function credentialOf(req: FastifyRequest, app: AppContext): Credential | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.length > 0) {
    const m = BEARER.exec(auth);
    if (!m) throw new SessiondError('invalid_token.bearer_format');
    const token = m[1]!;
    // Access JWTs are three base64url parts; our opaque tokens are two.
    return hasThreeParts(token) ? { kind: 'jwt', token } : { kind: 'bearer', token };
  }
  const cookie = readCookie(req.headers.cookie, app.cookieNames.session);
  return cookie ? { kind: 'cookie', token: cookie } : null;
}

/** preHandler for routes that need a signed-in session. */
export function authenticate(app: AppContext, opts: { passive?: boolean } = {}) {
  return async function authenticateRequest(req: FastifyRequest): Promise<void> {
    const cred = credentialOf(req, app);
    if (!cred) throw new SessiondError('unauthenticated');
    req.credentialKind = cred.kind;
    const ctx = requestContext(req);
    if (opts.passive) ctx.passive = true;
    try {
      if (cred.kind === 'jwt') {
        if (!app.tokenMode) throw new SessiondError('invalid_token');
        const { sessionId } = await app.tokenMode.verifyAccessToken(cred.token);
        req.session = await app.sessiond.sessions.validateById(sessionId, ctx);
      } else {
        req.session = await app.sessiond.sessions.validateToken(cred.token, ctx);
      }
      // Loose on purpose: records from before the field lack it. Passive requests never get here.
      if (!ctx.passive && req.session.sso != null && app.onSsoActivity) await app.onSsoActivity(req.session);
      app.metrics.countValidation('ok');
    } catch (e) {
      if (e instanceof SessiondError) app.metrics.countValidation(e.code);
      throw e;
    }
  };
}

/**
 * CSRF defence for cookie-authenticated state changes: the Origin (else Referer) must be ours.
 * Runs before body parsing, so a cross-site text/plain POST is refused before anything happens.
 */
export function checkOrigin(app: AppContext) {
  return function originCheck(req: FastifyRequest): void {
    if (SAFE_METHODS.has(req.method)) return;
    // An app's backend with its key (relayed-client.ts): no other site can have made it send this.
    if (req.relayedClient) return;
    const hasBearer = typeof req.headers.authorization === 'string' && req.headers.authorization.length > 0;
    const hasCookie = readCookie(req.headers.cookie, app.cookieNames.session) !== null;
    const origin = requestOrigin(req);
    // The route the router matched, not the raw URL: '/v1/%6Cogin' is /v1/login too.
    const isSignIn = SIGN_IN_ROUTES.has(req.routeOptions.url ?? '');
    if (hasCookie && !hasBearer) {
      if (!origin || !app.allowedOrigins.has(origin)) throw new SessiondError('csrf_failed');
    } else if (isSignIn && origin && !app.allowedOrigins.has(origin)) {
      // Login CSRF: another site must not sign a browser into an account of its choosing.
      throw new SessiondError('csrf_failed');
    }
  };
}

function requestOrigin(req: FastifyRequest): string | null {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== '') return origin;
  const referer = req.headers.referer;
  if (typeof referer === 'string' && referer !== '') {
    try {
      return new URL(referer).origin;
    } catch {
      return 'invalid';
    }
  }
  return null;
}

export function setSessionCookie(reply: FastifyReply, app: AppContext, token: string, maxAgeSeconds?: number): void {
  reply.header('set-cookie', serializeCookie(app.cookieNames.session, token, { secure: app.secureCookies, maxAge: maxAgeSeconds }));
}

export function clearSessionCookie(reply: FastifyReply, app: AppContext): void {
  reply.header('set-cookie', serializeCookie(app.cookieNames.session, '', { secure: app.secureCookies, maxAge: 0 }));
}

export function setDeviceCookie(reply: FastifyReply, app: AppContext, token: string): void {
  const maxAge = Math.floor(app.config.core.trustedDeviceTtlMs / 1000);
  // Fastify appends repeated Set-Cookie headers instead of replacing them.
  reply.header('set-cookie', serializeCookie(app.cookieNames.device, token, { secure: app.secureCookies, maxAge }));
}
