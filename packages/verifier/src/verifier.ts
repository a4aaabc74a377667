import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { VerifierError } from './errors.ts';
import { Revocations } from './revocations.ts';
import { followFeed, type FeedEvent } from './feed.ts';

export interface VerifierOptions {
  /** The sessiond `iss` (its SESSIOND_PUBLIC_URL). */
  issuer: string;
  /** e.g. https://auth.example.com/.well-known/jwks.json */
  jwksUrl?: string;
  /** Instead of `jwksUrl`: a key set held locally (pinned keys, tests). */
  jwks?: JSONWebKeySet;
  /** e.g. https://auth.example.com/v1/admin/events; with it, revocations apply within a second. */
  eventsUrl?: string;
  /**
   * An app key with scope `events:read` (`POST /v1/admin/apps/:app/keys`): the feed then carries
   * that app's sessions and the global endings. Never the admin token.
   */
  appKey?: string;
  clockToleranceSec?: number;
  /**
   * Required: the app(s) whose tokens this resource server accepts (the `aud` claim), or `'any'`
   * to accept every app's tokens knowingly. A token minted for another app is refused.
   */
  audience: string | string[] | 'any';
  /** Verified tokens kept in memory (signature checked once per token). */
  cacheSize?: number;
  /** The longest access-token lifetime: how long an ended session must be remembered. */
  maxTokenLifetimeMs?: number;
  fetch?: typeof fetch;
  onFeedError?: (e: unknown) => void;
}

export interface VerifiedToken {
  userId: string;
  sessionId: string;
  app: string | null;
  /** The app the token was minted for (RFC 9068 `client_id`), else its `app` claim. */
  clientId: string | null;
  /** Epoch ms. */
  expiresAt: number;
  issuedAt: number;
  /** When the person last proved who they are (`auth_time`, epoch ms); null if the token says not. */
  authTime: number | null;
  /** How they did (`amr`): `pwd`, `otp`, `sso`. */
  amr: string[];
}

export interface Verifier {
  /** Throws VerifierError when the token must be refused. */
  verify(token: string): Promise<VerifiedToken>;
  /** Reads `Authorization: Bearer …` from Web-standard headers. */
  verifyRequest(headers: { get(name: string): string | null }): Promise<VerifiedToken>;
  /** Resolves once the events feed is connected (immediately without one). */
  ready(): Promise<void>;
  close(): void;
}

/**
 * Offline verification for resource servers: signatures against sessiond's JWKS (refetched when an
 * unknown `kid` appears), plus the events feed so a token of an ended session is refused within a
 * second although it has not expired.
 */
export function createVerifier(opts: VerifierOptions): Verifier {
  const audience = (opts as Partial<VerifierOptions>).audience;
  if (audience === undefined || (Array.isArray(audience) && audience.length === 0) || audience === '') {
    // Without it a token of any app (a less strict policy) would open this server.
    throw new TypeError('createVerifier: "audience" is required: the app(s) whose tokens this server accepts (e.g. audience: "web"), or audience: "any"');
  }
  const doFetch = opts.fetch ?? fetch;
  if (!opts.jwks && !opts.jwksUrl) throw new TypeError('createVerifier: "jwksUrl" (e.g. https://auth.example.com/.well-known/jwks.json) or "jwks" is required');
  const jwks = opts.jwks ? createLocalJWKSet(opts.jwks) : createRemoteJWKSet(new URL(opts.jwksUrl!), { cooldownDuration: 5_000, cacheMaxAge: 10 * 60_000 });
  const revocations = new Revocations(opts.maxTokenLifetimeMs ?? 60 * 60_000);
  const cache = new Map<string, VerifiedToken>();
  const cacheSize = opts.cacheSize ?? 50_000;
  const tolerance = (opts.clockToleranceSec ?? 5) * 1000;
  let markReady!: () => void;
  const readyP = new Promise<void>((r) => (markReady = r));
  const abort = new AbortController();

  async function verifySignature(token: string): Promise<VerifiedToken> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, { algorithms: ['EdDSA'], issuer: opts.issuer, typ: 'at+jwt', requiredClaims: ['sub', 'sid', 'exp', 'iat'], clockTolerance: opts.clockToleranceSec ?? 5, ...(audience === 'any' ? {} : { audience }) }));
    } catch (e) {
      throw refusalOf(e, token);
    }
    if (typeof payload.sid !== 'string' || typeof payload.sub !== 'string') throw new VerifierError('invalid_token', 'The access token is not valid.');
    const app = typeof payload.app === 'string' ? payload.app : null;
    return {
      userId: payload.sub,
      sessionId: payload.sid,
      app,
      clientId: typeof payload.client_id === 'string' ? payload.client_id : app,
      expiresAt: payload.exp! * 1000,
      issuedAt: payload.iat! * 1000,
      authTime: typeof payload.auth_time === 'number' ? payload.auth_time * 1000 : null,
      amr: Array.isArray(payload.amr) ? payload.amr.filter((m): m is string => typeof m === 'string') : [],
    };
  }

  /**
   * A misconfigured issuer or audience is the commonest integration mistake (the server printed
   * 127.0.0.1, the tokens say localhost): name both values so it is found in a minute. Only after
   * the signature checked out, so the claims named are sessiond's, not an attacker's.
   */
  function refusalOf(e: unknown, token: string): VerifierError {
    if (e instanceof errors.JWTExpired) return new VerifierError('invalid_token', 'The access token has expired.');
    if (e instanceof errors.JWTClaimValidationFailed && (e.claim === 'iss' || e.claim === 'aud')) {
      const got = decodeJwt(token)[e.claim];
      const expected = e.claim === 'iss' ? opts.issuer : audience;
      const what = e.claim === 'iss' ? 'issuer' : 'audience';
      return new VerifierError('invalid_token', `The access token is not valid: ${what} mismatch (expected ${JSON.stringify(expected)}, got ${JSON.stringify(got ?? null)}).`);
    }
    return new VerifierError('invalid_token', 'The access token is not valid.');
  }

  async function verify(token: string): Promise<VerifiedToken> {
    const now = Date.now();
    let v = cache.get(token);
    if (!v) {
      v = await verifySignature(token);
      if (cacheSize > 0) {
        if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
        cache.set(token, v);
      }
    }
    if (v.expiresAt + tolerance <= now) {
      cache.delete(token);
      throw new VerifierError('invalid_token', 'The access token has expired.');
    }
    // Revocation is checked on every call, cache or not.
    const reason = revocations.check(v.sessionId, v.issuedAt);
    if (reason) throw new VerifierError('session_ended', 'The session has ended.', reason);
    return v;
  }

  function onFeedEvent(m: FeedEvent): void {
    const data = JSON.parse(m.data) as { sessionId?: string; reason?: string; at?: string };
    if (m.event === 'session.ended' && data.sessionId) revocations.end(data.sessionId, data.reason ?? 'revoked', Date.now());
    else if (m.event === 'session.ended_all') revocations.endAll(Date.parse(data.at ?? '') || Date.now(), data.reason ?? 'global_logout');
  }

  let pruner: ReturnType<typeof setInterval> | undefined;
  if (opts.eventsUrl) {
    void followFeed({
      url: opts.eventsUrl,
      headers: opts.appKey ? { authorization: `Bearer ${opts.appKey}` } : {},
      fetch: doFetch,
      signal: abort.signal,
      onEvent: onFeedEvent,
      onConnected: markReady,
      onError: (e) => opts.onFeedError?.(e),
    });
    pruner = setInterval(() => revocations.prune(Date.now()), 60_000);
    (pruner as { unref?: () => void }).unref?.();
  } else markReady();

  return {
    verify,
    async verifyRequest(headers) {
      const m = /^Bearer\s+(\S+)$/i.exec(headers.get('authorization') ?? '');
      if (!m) throw new VerifierError('invalid_token', 'An "Authorization: Bearer" access token is required.');
      return verify(m[1]!);
    },
    ready: () => readyP,
    close() {
      abort.abort();
      clearInterval(pruner);
    },
  };
}
