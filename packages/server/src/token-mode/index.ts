import { RefreshTokens, type Sessiond, type SessionRecord } from '@sessiond/core';
import type { AppContext, TokenMode } from '../context.ts';
import { AccessTokens } from './access-tokens.ts';
import { KeyRing } from './key-ring.ts';
import { keyBesideDatabaseWarning, subkey } from './secrets.ts';

export interface TokenModeParts extends TokenMode {
  ring: KeyRing;
  access: AccessTokens;
  refresh: RefreshTokens;
}

/** Token mode for one server: keys from the store, refresh rotation, access JWTs. */
export async function createTokenMode(app: AppContext): Promise<TokenModeParts> {
  const { sessiond, config } = app;
  const kek = app.keyEncryptionKey;
  const warning = keyBesideDatabaseWarning(config);
  if (warning) app.logger.warn(warning);
  const ring = new KeyRing(sessiond.store, sessiond.clock, subkey(kek, 'signing-key sealing'), config.core.accessTokenTtlMs);
  await ring.load();
  // Another node rotated: pick up its key at once rather than on the first unknown kid.
  sessiond.store.subscribe((e) => {
    if (e.type === 'keys.rotated') void ring.load().catch(() => {});
  });
  const access = new AccessTokens(ring, sessiond.clock, () => issuerOf(app), config.core.accessTokenTtlMs);
  const refresh = new RefreshTokens(sessiond.sessions, sessiond.clock, subkey(kek, 'refresh successor'), config.core.refreshGraceMs);
  return {
    ring,
    access,
    refresh,
    verifyAccessToken: (jwt) => access.verify(jwt),
    async issueFor(session: SessionRecord) {
      const issued = await refresh.issue(session);
      return { ...(await access.issue(issued.session)), refreshToken: issued.refreshToken };
    },
  };
}

/** `iss` of access tokens: SESSIOND_PUBLIC_URL, else the URL the server printed (context.ts). */
function issuerOf(app: AppContext): string {
  return app.publicOrigin;
}

/** A new signing key, announced as `keys.rotated` so every node and verifier picks it up at once. */
export async function rotateSigningKey(ring: KeyRing, sessiond: Pick<Sessiond, 'store' | 'clock'>): Promise<string> {
  const kid = await ring.rotate();
  await sessiond.store.recordEvent({ type: 'keys.rotated', at: sessiond.clock.now(), userId: null, sessionId: null, ip: null, reason: null, data: { kid } });
  return kid;
}
