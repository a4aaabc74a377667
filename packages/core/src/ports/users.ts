import type { UserRecord } from '../types.ts';

/** The external id is set once, at creation: the operator's app finds the account by it ever after. */
export type UserPatch = Partial<Omit<UserRecord, 'id' | 'email' | 'createdAt' | 'externalId'>>;

export type SecondFactorUse = { totpStep: number } | { recoveryCodeHash: string };

/** Accounts. Each method is atomic in its store. */
export interface UserStore {
  /**
   * Throws SessiondError('email_taken') when the email exists, else SessiondError('external_id_conflict')
   * when the user's non-null externalId does; inserts nothing then.
   */
  createUser(user: UserRecord): Promise<void>;
  findUserById(id: string): Promise<UserRecord | null>;
  findUserByEmail(email: string): Promise<UserRecord | null>;
  findUserByExternalId(externalId: string): Promise<UserRecord | null>;
  updateUser(id: string, patch: UserPatch): Promise<void>;
  /**
   * Uses up a second factor in one atomic step, so that a code sent twice at the same instant is
   * accepted once: a TOTP time step only when it is later than `totpLastStep` (which it becomes),
   * a recovery code only while its stored hash is in `recoveryCodeHashes` (which it leaves).
   * Returns whether this call used it.
   */
  useSecondFactor(id: string, use: SecondFactorUse): Promise<boolean>;
}
