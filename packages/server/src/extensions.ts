import type { Sessiond } from '@sessiond/core';
import type { ServerConfig } from './config.ts';
import type { StartOptions } from './server.ts';

/**
 * Features that plug into the server without the core routes knowing them: token mode (access
 * JWTs, refresh rotation, JWKS, key rotation) and the admin events feed.
 */
export function extensions(): StartOptions & { rotateKeys?: (s: Sessiond, config: ServerConfig) => Promise<string> } {
  return {};
}
