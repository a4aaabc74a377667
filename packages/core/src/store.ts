import type {
  AppKeyRecord,
  AuditEvent,
  NewAuditEvent,
  SessionEnding,
  SessionPatch,
  SessionRecord,
  SigningKeyRecord,
  TrustedDeviceRecord,
  UserRecord,
} from './types.ts';

/**
 * What every store offers. Each method is atomic in its store; the conformance suite
 * (`@sessiond/store-tests`) is the specification. Stores hold no policy: the domain decides
 * deadlines and reasons, stores persist them. A store that cannot reach its backend throws
 * `StoreUnavailableError`, never anything that could be mistaken for an ended session.
 */
export interface Store {
  /** "memory", "sqlite", "redis", "postgres". */
  readonly kind: string;
  /** Creates schema / runs migrations; safe when several nodes start at once. */
  init(): Promise<void>;
  close(): Promise<void>;
  /** Resolves when the backend answers; throws StoreUnavailableError otherwise. */
  ping(): Promise<void>;

  // Users
  /** Throws SessiondError('email_taken') when the email exists. */
  createUser(user: UserRecord): Promise<void>;
  findUserById(id: string): Promise<UserRecord | null>;
  findUserByEmail(email: string): Promise<UserRecord | null>;
  updateUser(id: string, patch: Partial<Omit<UserRecord, 'id' | 'email' | 'createdAt'>>): Promise<void>;
  /**
   * Uses up a second factor in one atomic step, so that a code sent twice at the same instant is
   * accepted once: a TOTP time step only when it is later than `totpLastStep` (which it becomes),
   * a recovery code only while its stored hash is in `recoveryCodeHashes` (which it leaves).
   * Returns whether this call used it.
   */
  useSecondFactor(id: string, use: SecondFactorUse): Promise<boolean>;

  // Sessions
  /**
   * Inserts a session. With `limit`, counts the user's active sessions of the same app
   * (not ended, both deadlines after `limit.now`) in the same atomic step: when the new one
   * would exceed `limit.max` (unless 0), either ends the oldest (by createdAt) with `limit.ending`
   * and returns them as `evicted`, or inserts nothing and returns `{ ok: false, active }`.
   * Then, in the same step, when the new one would exceed `limit.ceiling.max` active sessions of
   * the user across apps, ends the oldest of those with `limit.ceiling.ending` (also `evicted`).
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
  endUserSessions(
    userId: string,
    ending: SessionEnding,
    opts?: { exceptId?: string; app?: string; trustedDeviceId?: string },
  ): Promise<SessionRecord[]>;
  /** Ends every not-yet-ended session of every user; returns how many. */
  endAllSessions(ending: SessionEnding): Promise<number>;
  /** The user's sessions that have not ended and whose deadlines are both after `now`. */
  listUserSessions(userId: string, now: number): Promise<SessionRecord[]>;
  /**
   * Housekeeping in bounded batches; cost follows what expires, not what is stored.
   * 1. Sessions whose earlier deadline is <= now and that have not ended are marked ended at
   *    that deadline (reason idle_timeout or absolute_timeout, whichever came first;
   *    purgeAt = deadline + tombstoneTtlMs) and returned in `timedOut` (at most `limit`).
   * 2. Records with purgeAt <= now are deleted (at most `limit`); their count is `purged`.
   */
  sweep(now: number, opts: { limit: number; tombstoneTtlMs: number }): Promise<SweepResult>;

  // Trusted devices
  createTrustedDevice(device: TrustedDeviceRecord): Promise<void>;
  findTrustedDevice(id: string): Promise<TrustedDeviceRecord | null>;
  updateTrustedDevice(id: string, patch: TrustedDevicePatch): Promise<void>;
  /** Devices of the user whose expiresAt is after `now`. */
  listTrustedDevices(userId: string, now: number): Promise<TrustedDeviceRecord[]>;
  /** Removes it when it belongs to the user; returns whether it did. */
  deleteTrustedDevice(userId: string, id: string): Promise<boolean>;

  // Audit log and the feed between nodes
  /**
   * Appends to the audit log and publishes it to every subscriber on every node (this one
   * included). Returns the event with its store-assigned, increasing id.
   */
  recordEvent(event: NewAuditEvent): Promise<AuditEvent>;
  /**
   * Newest first, or with `afterId` oldest first (everything after that id: feed resume).
   * Filters combine with AND.
   */
  listEvents(query: EventQuery): Promise<AuditEvent[]>;
  /** Every event recorded on any node after the subscription starts. Returns unsubscribe. */
  subscribe(listener: (event: AuditEvent) => void): () => void;

  // Counters for throttling
  /**
   * Adds 1 to the counter (creating it with this TTL when absent) and returns the new value. The
   * window is fixed from the creation: later changes never move it.
   */
  incrementCounter(key: string, ttlMs: number, now: number): Promise<number>;
  /**
   * Takes 1 back from a live counter, never below 0, without moving its window; nothing when the
   * counter is absent or past its TTL. Gives back an attempt reserved before its outcome was known.
   */
  decrementCounter(key: string, now: number): Promise<void>;
  resetCounter(key: string): Promise<void>;
  /** The counter's value, 0 when absent or past its TTL; changes nothing. */
  peekCounter(key: string, now: number): Promise<number>;

  // Signing keys for token mode
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  /** Inserts or replaces by kid. */
  saveSigningKey(key: SigningKeyRecord): Promise<void>;

  // Settings the nodes of one store must agree on
  /** Stores `value` under `name` unless one is stored there; returns the stored one (first writer wins). */
  claimSetting(name: string, value: string): Promise<string>;

  // App keys (credentials of apps' backends)
  createAppKey(key: AppKeyRecord): Promise<void>;
  /** The app's keys, oldest first. */
  listAppKeys(app: string): Promise<AppKeyRecord[]>;
  findAppKeyByHash(secretHash: string): Promise<AppKeyRecord | null>;
  /** Removes it when it belongs to the app; returns whether it did. */
  deleteAppKey(app: string, id: string): Promise<boolean>;
  /** Sets lastUsedAt; nothing when the key is gone. */
  touchAppKey(id: string, lastUsedAt: number): Promise<void>;
}

export type TrustedDevicePatch = Partial<Pick<TrustedDeviceRecord, 'lastUsedAt' | 'expiresAt' | 'label' | 'secondFactorAt'>>;

export interface SessionLimit {
  /** Active sessions of the user in the session's app; 0 = no limit. */
  max: number;
  onMax: 'evict_oldest' | 'reject';
  now: number;
  /** How evicted sessions end (reason concurrent_limit). */
  ending: SessionEnding;
  /** Active sessions of the user across apps; beyond it the oldest end (never a rejection). */
  ceiling?: { max: number; ending: SessionEnding };
}

export type CreateSessionResult =
  | { ok: true; evicted: SessionRecord[] }
  | { ok: false; active: SessionRecord[] };

export interface SweepResult {
  timedOut: SessionRecord[];
  purged: number;
}

export type SecondFactorUse = { totpStep: number } | { recoveryCodeHash: string };

export interface EventQuery {
  userId?: string;
  sessionId?: string;
  afterId?: string;
  limit: number;
}
