import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '@sessiond/core';

/**
 * argon2id with OWASP's second recommended profile (19 MiB, t=2, p=1): strong, yet a 2-core
 * machine still signs in dozens of people a second.
 */
// Algorithm.Argon2id of @node-rs/argon2 is an ambient const enum, which isolated modules cannot read.
const ARGON2ID = 2;

export function argon2Hasher(opts: { memoryCost?: number; timeCost?: number } = {}): PasswordHasher {
  const params = { algorithm: ARGON2ID, memoryCost: opts.memoryCost ?? 19_456, timeCost: opts.timeCost ?? 2, parallelism: 1 };
  return {
    hash: (password) => hash(password, params),
    verify: async (phc, password) => {
      try {
        return await verify(phc, password);
      } catch {
        return false;
      }
    },
  };
}
