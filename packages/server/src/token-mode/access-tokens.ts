import { SignJWT, jwtVerify, type JWTHeaderParameters } from 'jose';
import { randomId, SessiondError, type Clock, type SessionRecord } from '@sessiond/core';
import type { KeyRing } from './key-ring.ts';

const ACCESS_TOKEN_TYPE = 'at+jwt';

/**
 * Access JWTs: EdDSA only, typed "at+jwt" (RFC 9068) so no other JWT can pass for one, keys only
 * from our own ring by `kid` (never from the token's own jwk/jku/x5u headers).
 */
export class AccessTokens {
  constructor(
    private readonly ring: KeyRing,
    private readonly clock: Clock,
    private readonly issuer: () => string,
    private readonly ttlMs: number,
  ) {}

  async issue(session: SessionRecord): Promise<{ accessToken: string; accessTokenExpiresAt: string }> {
    const now = this.clock.now();
    // Never valid past the session's own absolute deadline.
    const exp = Math.min(now + this.ttlMs, session.absoluteExpiresAt);
    const { kid, key } = this.ring.signingKey();
    const accessToken = await new SignJWT({ sid: session.id, app: session.app, client_id: session.app, ...authenticationClaims(session) })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.issuer())
      .setSubject(session.userId)
      // The app is the audience: a resource server that serves one app refuses another app's tokens.
      .setAudience(session.app)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(exp / 1000))
      .setJti(randomId())
      .sign(key);
    return { accessToken, accessTokenExpiresAt: new Date(Math.floor(exp / 1000) * 1000).toISOString() };
  }

  async verify(jwt: string): Promise<{ sessionId: string; userId: string }> {
    const resolve = async (header: JWTHeaderParameters) => {
      if (header.jwk || header.jku || header.x5u || header.x5c) throw new Error('embedded keys are not accepted');
      const key = await this.ring.verificationKey(header.kid ?? '');
      if (!key) throw new Error('unknown kid');
      return key;
    };
    try {
      const { payload } = await jwtVerify(jwt, resolve, {
        algorithms: ['EdDSA'],
        issuer: this.issuer(),
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['sub', 'sid', 'exp', 'iat'],
        currentDate: new Date(this.clock.now()),
        clockTolerance: 5,
      });
      if (typeof payload.sid !== 'string' || typeof payload.sub !== 'string') throw new Error('bad claims');
      return { sessionId: payload.sid, userId: payload.sub };
    } catch {
      throw new SessiondError('invalid_token.access_token');
    }
  }
}

/**
 * `auth_time` (seconds) and `amr` (RFC 9068 §2.2.1, RFC 8176): when the person last proved who they
 * are here and how, so a resource server can require a fresh or two-step sign-in offline. Refreshes
 * never move them. A session sessiond saw no authentication for (started through the admin API,
 * not yet re-authenticated) claims neither: a resource server asking for either refuses it, as
 * sessiond's own step-up does. Loose on purpose: a record from before the field lacks it.
 */
function authenticationClaims(session: SessionRecord): { auth_time?: number; amr?: string[] } {
  if (session.authMethods == null || session.authMethods.length === 0) return {};
  return { auth_time: Math.floor(session.authenticatedAt / 1000), amr: [...session.authMethods] };
}
