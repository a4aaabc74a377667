import { createHash } from 'node:crypto';
import { SessiondError, type Counters } from '@sessiond/core';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { isUnreachable, unavailable, type OidcProvider } from './provider.ts';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** A logout token older than this is refused: its jti need be remembered only this long. */
const MAX_AGE_S = 600;
const CLOCK_TOLERANCE_S = 30;
/**
 * A token naming a key we do not have fetches the provider's keys again (key rotation), at most
 * once a second: forged tokens with made-up kids cannot turn us into a flood of requests.
 */
const JWKS_COOLDOWN_MS = 1_000;

export interface VerifiedLogout {
  issuer: string;
  sid: string | null;
  subject: string | null;
}

const refuse = (problem: string) => new SessiondError('invalid_request.logout_token', { facts: { problem }, details: { field: 'logout_token' } });

/**
 * OpenID Connect Back-Channel Logout 1.0 §2.6: a logout token is accepted only when signed by the
 * provider's current keys and its claims say exactly what a logout token says; its `jti` is used
 * once (a counter in the store, shared by every node, that outlives the token's accepted age).
 */
export class LogoutTokens {
  private keys: ReturnType<typeof createRemoteJWKSet> | null = null;

  constructor(
    private readonly provider: OidcProvider,
    private readonly counters: Counters,
    private readonly now: () => number,
  ) {}

  async verify(token: string): Promise<VerifiedLogout> {
    const config = await this.provider.configuration();
    const server = config.serverMetadata();
    if (!server.jwks_uri) throw unavailable(this.provider.config);
    this.keys ??= createRemoteJWKSet(new URL(server.jwks_uri), { cooldownDuration: JWKS_COOLDOWN_MS, timeoutDuration: 5_000 });
    let payload: JWTPayload;
    let typ: string | undefined;
    try {
      const verified = await jwtVerify(token, this.keys, {
        issuer: server.issuer,
        audience: this.provider.config.clientId,
        algorithms: server.id_token_signing_alg_values_supported?.filter((a) => a !== 'none') ?? ['RS256'],
        maxTokenAge: MAX_AGE_S,
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: new Date(this.now()),
        requiredClaims: ['iat', 'jti'],
      });
      payload = verified.payload;
      typ = verified.protectedHeader.typ;
    } catch (e) {
      if (e instanceof joseErrors.JWKSTimeout || isUnreachable(e)) throw unavailable(this.provider.config);
      if (e instanceof joseErrors.JOSEError) throw refuse(joseProblem(e));
      throw refuse('it is not a signed JWT');
    }
    // §2.3: explicit typing when present; an ID token (or another JWT of the provider) is not a logout token.
    if (typ !== undefined && !/^(application\/)?logout\+jwt$/i.test(typ)) throw refuse('its typ is not logout+jwt');
    const events = payload.events as Record<string, unknown> | undefined;
    if (typeof events !== 'object' || events === null || typeof events[BACKCHANNEL_EVENT] !== 'object' || events[BACKCHANNEL_EVENT] === null) throw refuse('it lacks the back-channel logout event');
    if ('nonce' in payload) throw refuse('it carries a nonce, as only an ID token does');
    const sid = typeof payload.sid === 'string' && payload.sid !== '' ? payload.sid : null;
    const subject = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : null;
    if (sid === null && subject === null) throw refuse('it names neither a sid nor a sub');
    if (typeof payload.jti !== 'string' || payload.jti === '') throw refuse('it has no jti');
    // Used once, on every node: the first presentation ends sessions, a replay ends nothing.
    const key = `oidc-jti:${createHash('sha256').update(JSON.stringify([server.issuer, payload.jti])).digest('base64url')}`;
    if ((await this.counters.incrementCounter(key, (MAX_AGE_S + 2 * CLOCK_TOLERANCE_S) * 1000, this.now())) !== 1) throw refuse('it was used before');
    return { issuer: server.issuer, sid, subject };
  }
}

function joseProblem(e: InstanceType<typeof joseErrors.JOSEError>): string {
  if (e instanceof joseErrors.JWTClaimValidationFailed) return `its ${e.claim} claim is not acceptable`;
  if (e instanceof joseErrors.JWTExpired) return 'it has expired';
  if (e instanceof joseErrors.JWKSNoMatchingKey || e instanceof joseErrors.JWSSignatureVerificationFailed) return "it is not signed by the provider's keys";
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return 'its algorithm is not accepted';
  return 'it is not a valid logout token';
}
