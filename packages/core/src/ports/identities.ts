import type { IdentityRecord } from '../types.ts';

/**
 * Accounts at identity providers (SPEC §15), and the provider sessions that back-channel logout
 * names. Each method is atomic in its store.
 */
export interface IdentityStore {
  /**
   * Links `(issuer, subject)` to a user unless it is linked already; returns the stored link (first
   * writer wins), so two callbacks racing for one new person end up with one account.
   */
  linkIdentity(identity: IdentityRecord): Promise<IdentityRecord>;
  findIdentity(issuer: string, subject: string): Promise<IdentityRecord | null>;
  /**
   * Notes that session `sessionId` was started in the provider's session `sid`, until `purgeAt`;
   * may forget notes whose purgeAt is at or before `now`.
   */
  addProviderSession(issuer: string, sid: string, sessionId: string, purgeAt: number, now: number): Promise<void>;
  /** The session ids noted for that provider session and not yet past their purgeAt. */
  providerSessions(issuer: string, sid: string, now: number): Promise<string[]>;
}
