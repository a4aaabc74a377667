import { createHash } from 'node:crypto';
import type { PublicUser, SessionView } from '@sessiond/contract';
import { followFeed, type FeedEvent } from '@sessiond/verifier/feed';
import { clearedSessionCookie, credentialOf, SESSIOND_COOKIE_NAMES, sessionCookie, type CookieSettings } from './credentials.ts';
import { SessionCache } from './session-cache.ts';
import { SessiondApi, type Answer, type ClientContext, type Refusal, type SignedIn } from './sessiond-api.ts';

export interface GuardOptions {
  /** sessiond as this server reaches it, e.g. http://127.0.0.1:4000 or http://sessiond.internal:4000. */
  url: string;
  /**
   * An app key of `app` (`sessiond apps keys create web --scopes events:read`): it opens the events
   * feed, so cached sessions are dropped within a second of an ending, and vouches for the
   * person's address and browser. Without one nothing is cached: every request asks sessiond.
   */
  appKey?: string;
  /** The app this backend is (sign-ins through `signIn` start sessions of it). Default `web`. */
  app?: string;
  /** How long a validated session is trusted without asking again. Default 5 s; 0 turns the cache off. */
  cacheTtlMs?: number;
  cacheSize?: number;
  /**
   * The cookie this app reads and writes. Default `sessiond` (`__Host-sessiond` when `secure`);
   * the cookie sessiond itself sets is read too, for sessiond behind the app's origin.
   */
  cookie?: Partial<CookieSettings>;
  /** Per call to sessiond; past it the answer is 503, never an ending. Default 5 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  onFeedError?: (e: unknown) => void;
  /**
   * sessiond refused to take this app's word for the person's address and browser (its app key
   * revoked or of another app, a header refused): requests still work, asked again without them,
   * but sessiond then records this server's address. Default: console.error.
   */
  onAppRefused?: (e: Error) => void;
  /** For tests. */
  now?: () => number;
}

/** What a handler gets for a signed-in request. */
export interface SessiondAuth {
  user: PublicUser;
  session: SessionView;
}

export type Outcome = { ok: true; auth: SessiondAuth } | { ok: false; refusal: Refusal };

/** The request as the guard needs it, from any framework. */
export interface IncomingCredentials extends ClientContext {
  authorization?: string | null;
  cookie?: string | null;
}

export interface SessionGuard {
  /** Validates the request's cookie or bearer token: `{user, session}`, or the refusal to answer with. */
  check(req: IncomingCredentials): Promise<Outcome>;
  /** Signs a person in through sessiond (`POST /v1/login`); `setCookie` is the app's own cookie for the token. */
  signIn(body: { email: string; password: string; rememberMe?: boolean; totp?: string }, client: ClientContext): Promise<Answer<SignedIn & { setCookie: string }>>;
  /** Ends the request's session (`logged_out`); `setCookie` removes the cookie. No Clear-Site-Data. */
  signOut(req: IncomingCredentials): Promise<{ setCookie: string; refusal?: Refusal }>;
  /** The message for a reason code (for a sign-in page reached with `?reason=`), or null. */
  reasonMessage(reason: string): Promise<string | null>;
  /** A Set-Cookie that removes the session cookie. */
  readonly clearCookie: string;
  /** Resolves when the events feed is connected (at once without an app key). */
  ready(): Promise<void>;
  close(): void;
  /** For tests and metrics. */
  readonly stats: { cached: number; feedConnected: boolean };
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/** An access JWT (three parts) must not be trusted from cache past its own `exp`; sessiond checked its signature. */
function accessTokenExpiry(credential: string): number {
  const parts = credential.split('.');
  if (parts.length !== 3) return Infinity;
  try {
    const exp = (JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : 0;
  } catch {
    return 0;
  }
}

/**
 * The core of `@sessiond/node`, framework-free: adapters (express, fastify, hono, Web Request) read
 * the request into `IncomingCredentials` and turn the `Outcome` into their answer.
 */
export function createSessionGuard(opts: GuardOptions): SessionGuard {
  const baseUrl = opts.url.replace(/\/+$/, '');
  const now = opts.now ?? Date.now;
  const app = opts.app ?? 'web';
  const cookieSecure = opts.cookie?.secure ?? opts.cookie?.name?.startsWith('__Host-') ?? false;
  const cookie: CookieSettings = { name: opts.cookie?.name ?? (cookieSecure ? '__Host-sessiond' : 'sessiond'), secure: cookieSecure };
  const cookieNames = [...new Set([cookie.name, ...SESSIOND_COOKIE_NAMES])];
  const api = new SessiondApi(baseUrl, opts.appKey, opts.fetch ?? fetch, opts.timeoutMs ?? 5_000, opts.onAppRefused ?? ((e) => console.error(`@sessiond/node: ${e.message}`)));
  const ttl = opts.cacheTtlMs ?? 5_000;
  const cache = new SessionCache<SessiondAuth>(opts.cacheSize ?? 10_000, now);
  const inFlight = new Map<string, Promise<Outcome>>();
  const abort = new AbortController();
  // Until the feed is connected (and whenever it is cut) an ending could go unheard: cache nothing.
  let feedConnected = false;
  let markReady!: () => void;
  const readyP = new Promise<void>((r) => (markReady = r));

  function onFeedEvent(e: FeedEvent): void {
    if (e.event === 'session.ended') {
      const { sessionId } = JSON.parse(e.data) as { sessionId?: string };
      if (sessionId) cache.dropSession(sessionId);
    } else if (e.event === 'session.ended_all') cache.clear();
  }

  if (opts.appKey && ttl > 0) {
    void followFeed({
      url: `${baseUrl}/v1/admin/events`,
      headers: { authorization: `Bearer ${opts.appKey}` },
      fetch: opts.fetch ?? fetch,
      signal: abort.signal,
      onEvent: onFeedEvent,
      onConnected: () => {
        feedConnected = true;
        markReady();
      },
      onDisconnected: () => {
        feedConnected = false;
        cache.clear();
      },
      onError: (e) => opts.onFeedError?.(e),
    });
  } else markReady();

  async function validate(credential: string, key: string, client: ClientContext): Promise<Outcome> {
    const ticket = cache.ticket();
    const answer = await api.validate(credential, client);
    if (!answer.ok) return answer;
    const auth = answer.value;
    // The feed of an app key carries its own app's endings only: another app's session is asked about each time.
    if (feedConnected && auth.session.app === app) {
      // Never past the session's own deadline: the ending there may be known only on the next ask.
      const until = Math.min(now() + ttl, Date.parse(auth.session.expiresAt), accessTokenExpiry(credential));
      cache.set(key, auth.session.id, auth, until, ticket);
    }
    return { ok: true, auth };
  }

  const noCredential: Refusal = { status: 401, body: { error: { code: 'unauthenticated', message: 'Please sign in to continue.' } } };

  return {
    async check(req) {
      const credential = credentialOf(req, cookieNames);
      if (!credential) return { ok: false, refusal: noCredential };
      const key = hashOf(credential);
      const cached = feedConnected ? cache.get(key) : null;
      if (cached) return { ok: true, auth: cached };
      // One question to sessiond for a burst of requests with the same credential.
      let p = inFlight.get(key);
      if (!p) {
        p = validate(credential, key, { ip: req.ip ?? null, userAgent: req.userAgent ?? null, passive: req.passive === true }).finally(() => inFlight.delete(key));
        inFlight.set(key, p);
      }
      return p;
    },

    async signIn(body, client) {
      const answer = await api.signIn({ ...body, app }, client);
      if (!answer.ok) return answer;
      const s = answer.value.session;
      // A "Keep me signed in" session outlives the browser; any other ends with it, like sessiond's own cookie.
      const maxAge = s.rememberMe ? (Date.parse(s.absoluteExpiresAt) - now()) / 1000 : undefined;
      return { ok: true, value: { ...answer.value, setCookie: sessionCookie(cookie, answer.value.token, maxAge) } };
    },

    async signOut(req) {
      const credential = credentialOf(req, cookieNames);
      const clear = clearedSessionCookie(cookie);
      if (!credential) return { setCookie: clear };
      const key = hashOf(credential);
      const known = cache.get(key);
      if (known) cache.dropSession(known.session.id);
      const answer = await api.signOut(credential, { ip: req.ip ?? null, userAgent: req.userAgent ?? null });
      // Already ended or never valid: signed out all the same. An outage is reported: the session may live on.
      if (!answer.ok && answer.refusal.status >= 500) return { setCookie: clear, refusal: answer.refusal };
      return { setCookie: clear };
    },

    async reasonMessage(reason) {
      if (!/^[a-z_]{1,40}$/.test(reason)) return null;
      const answer = await api.reasonMessage(reason, app);
      return answer.ok ? answer.value.message : null;
    },

    clearCookie: clearedSessionCookie(cookie),
    ready: () => readyP,
    close: () => abort.abort(),
    get stats() {
      return { cached: cache.size, feedConnected };
    },
  };
}
