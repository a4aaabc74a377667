import type { Sessiond } from '@sessiond/core';
import type { ServerConfig } from '../config.ts';
import type { StartOptions } from '../server.ts';
import { createTokenMode, rotateSigningKey, type TokenModeParts } from './index.ts';
import { KeyRing } from './key-ring.ts';
import { tokenModeRoutes } from './routes.ts';
import { loadKeyEncryptionKey, subkey } from './secrets.ts';

/**
 * Token mode, always on, plugged into the server without the core routes knowing it: access JWTs,
 * refresh rotation, JWKS, key rotation and the admin events feed; and the CLI's key rotation.
 */
export function tokenModeStartOptions(): StartOptions & { rotateKeys: (s: Sessiond, config: ServerConfig) => Promise<string> } {
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
