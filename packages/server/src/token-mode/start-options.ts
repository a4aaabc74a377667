import type { Sessiond } from '@sessiond/core';
import type { ServerConfig } from './config.ts';
import type { StartOptions } from './server.ts';
import { KeyRing } from './token-mode/key-ring.ts';
import { createTokenMode, rotateSigningKey, type TokenModeParts } from './token-mode/index.ts';
import { tokenModeRoutes } from './token-mode/routes.ts';
import { loadKeyEncryptionKey, subkey } from './token-mode/secrets.ts';

/**
 * Features that plug into the server without the core routes knowing them: token mode (access
 * JWTs, refresh rotation, JWKS, key rotation) and the admin events feed.
 */
export function extensions(): StartOptions & { rotateKeys: (s: Sessiond, config: ServerConfig) => Promise<string> } {
  let parts: TokenModeParts | null = null;
  return {
    tokenMode: async (app) => (parts = await createTokenMode(app)),
    extraRoutes: [tokenModeRoutes(() => parts)],
    async rotateKeys(s, config) {
      const ring = new KeyRing(s.store, s.clock, subkey(loadKeyEncryptionKey(config), 'signing-key sealing'), config.core.accessTokenTtlMs);
      await ring.load();
      const kid = await rotateSigningKey(ring, s);
      return `new signing key ${kid}; older keys stay in the JWKS until their tokens expire`;
    },
  };
}
