import type { SessionEnding, SessionPatch, SessionRecord } from '../types.ts';

export interface SessionLimit {
  /** Active sessions of the user in the session's app; 0 = no limit. */
  max: number;
  onMax: 'evict_oldest' | 'reject';
  now: number;
  /** How evicted sessions end (reason concurrent_limit). */
  ending: SessionEnding;
  /**
   * Active sessions of the user across apps; beyond it the oldest end. With `ownAppOnly` only
   * sessions of the new session's app may give way (counting those the app's limit evicts); when
   * they are too few, nothing changes and the result is `{ok: false, accountLimit: true}`.
   */
  ceiling?: { max: number; ending: SessionEnding; ownAppOnly?: boolean };
}

export type CreateSessionResult =
  | { ok: true; evicted: SessionRecord[] }
  /** `active`: the app's active sessions; `accountLimit`: the ceiling refused it (ownAppOnly). */
  | { ok: false; active: SessionRecord[]; accountLimit?: true };

export interface SweepResult {
  timedOut: SessionRecord[];
  purged: number;
}

export interface EndUserSessionsFilter {
  exceptId?: string;
  app?: string;
  trustedDeviceId?: string;
}

/**
 * Sessions. Each method is atomic in its store; the rules they apply inside that step (whom a
 * limit evicts, why a session timed out) are core's (`admitSession`, `timeoutEnding`), which the
 * conformance suite checks every store against.
 */
export interface SessionStore {
  /**
   * Inserts a session. With `limit`, applies `admitSession` to the user's sessions in the same
   * atomic step: ends the sessions it names with their endings and returns them as `evicted`, or
   * inserts nothing and returns `{ ok: false, active }` when it rejects.
   */
  createSession(session: SessionRecord, limit?: SessionLimit): Promise<CreateSessionResult>;
  /** The record, active or ended, until it is purged. */
  findSession(id: string): Promise<SessionRecord | null>;
  /** Applies the patch only while the session has not ended; false otherwise or when missing. */
  updateSession(id: string, patch: SessionPatch): Promise<boolean>;
  /**
   * Token-mode rotation as compare-and-set: applies `patch` only when the current refresh
   * hash equals `expectedHash` and the session has not ended.
   */
  rotateRefresh(id: string, expectedHash: string, patch: SessionPatch): Promise<boolean>;
  /** Ends one session; returns it (ended) when this call ended it, null when already ended or missing. */
  endSession(id: string, ending: SessionEnding): Promise<SessionRecord | null>;
  /** Ends the user's not-yet-ended sessions (optionally one app, optionally sparing one id); returns those it ended. */
  endUserSessions(userId: string, ending: SessionEnding, opts?: EndUserSessionsFilter): Promise<SessionRecord[]>;
  /** Ends every not-yet-ended session of every user; returns how many. */
  endAllSessions(ending: SessionEnding): Promise<number>;
  /** The user's sessions that are active at `now` (`isActive`). */
  listUserSessions(userId: string, now: number): Promise<SessionRecord[]>;
  /**
   * Housekeeping in bounded batches; cost follows what expires, not what is stored.
   * 1. Sessions not ended whose `expiresAt` is <= now end with `timeoutEnding(s, tombstoneTtlMs)`
   *    and are returned in `timedOut` (at most `limit`).
   * 2. Records with purgeAt <= now are deleted (at most `limit`); their count is `purged`.
   */
  sweep(now: number, opts: { limit: number; tombstoneTtlMs: number }): Promise<SweepResult>;
}
