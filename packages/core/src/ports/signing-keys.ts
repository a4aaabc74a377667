import type { SigningKeyRecord } from '../types.ts';

/** Signing keys for token mode. */
export interface SigningKeyStore {
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  /** Inserts or replaces by kid. */
  saveSigningKey(key: SigningKeyRecord): Promise<void>;
}
