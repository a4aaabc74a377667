import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  SessiondError,
  type AppKeyRecord,
  type AuditEvent,
  type CreateSessionResult,
  type EventQuery,
  type NewAuditEvent,
  type SecondFactorUse,
  type SessionEnding,
  type SessionLimit,
  type SessionPatch,
  type SessionRecord,
  type SigningKeyRecord,
  type Store,
  type SweepResult,
  type TrustedDeviceRecord,
  type UserRecord,
} from '@sessiond/core';
import { isEmailTaken, storeError } from './errors.ts';
import { EventLog } from './event-log.ts';
import { migrate } from './migrate.ts';
import { deviceFromRow, sessionFromRow, sessionToRow, userFromRow, type DevicePatch, type DeviceRow, type SessionRow, type UserPatch, type UserRow } from './rows.ts';
import { prepareStatements, type Statements } from './statements.ts';

export interface SqliteStoreOptions {
  /**
   * `normal` (default): in WAL mode a commit is in the WAL file before the call returns, so a
   * crash of the process (kill -9) loses nothing answered; an OS crash or power loss may lose the
   * last commits. `full`: fsync on every commit, surviving power loss at the cost of one disk
   * flush per sign-in and per activity write.
   */
  synchronous?: 'normal' | 'full';
  /** How long a write waits for another process's lock before answering store_unavailable. */
  busyTimeoutMs?: number;
}

type AppKeyRow = { record: string; last_used_at: number | null };
/** lastUsedAt has its own column so that a touch rewrites one integer, not the record. */
const appKeyFromRow = (r: AppKeyRow): AppKeyRecord => ({ ...(JSON.parse(r.record) as AppKeyRecord), lastUsedAt: r.last_used_at });

const endingParams = (e: SessionEnding) => ({ at: e.at, reason: e.reason, detail: e.detail ? JSON.stringify(e.detail) : null, purgeAt: e.purgeAt });

/**
 * The embedded default store. better-sqlite3 is synchronous, so each method runs to completion
 * before any other JavaScript in this process: single statements are atomic by themselves and
 * read-then-write steps run in IMMEDIATE transactions, which also hold off another process that
 * opened the same file. One file serves one node; its feed is in-process (see EventLog).
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private db: Database.Database | undefined;
  private q!: Statements;
  private events!: EventLog;

  constructor(
    private readonly path: string,
    private readonly opts: SqliteStoreOptions = {},
  ) {}

  async init(): Promise<void> {
    if (this.db) return;
    this.guard(() => {
      if (this.path !== ':memory:' && this.path !== '') mkdirSync(dirname(this.path), { recursive: true });
      const db = new Database(this.path);
      // WAL: readers never wait for the writer, and a commit is one append to the log.
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode is what the kill -9 promise needs and no more (see SqliteStoreOptions).
      db.pragma(`synchronous = ${this.opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      // Another process holding the lock (a backup, the CLI) is waited for, then reported as 503.
      db.pragma(`busy_timeout = ${this.opts.busyTimeoutMs ?? 5000}`);
      // Off by default in SQLite; on, so any reference a migration declares is enforced.
      db.pragma('foreign_keys = ON');
      // Reads through a memory map and a 64 MB page cache rather than SQLite's 2 MB default: with a
      // million sessions the hot pages no longer each cost a read() call.
      db.pragma('cache_size = -65536');
      db.pragma('mmap_size = 1073741824');
      migrate(db);
      this.q = prepareStatements(db);
      this.events = new EventLog(db);
      this.db = db;
    });
  }

  async close(): Promise<void> {
    this.events?.close();
    if (this.db?.open) this.db.close();
  }

  async ping(): Promise<void> {
    this.guard(() => this.q.ping.get());
  }

  /** Runs a driver call, turning "the database cannot serve" errors into StoreUnavailableError. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw storeError(e);
    }
  }

  private transaction<T>(fn: () => T): T {
    return this.guard(() => this.db!.transaction(fn).immediate());
  }

  // Users

  async createUser(u: UserRecord): Promise<void> {
    try {
      this.guard(() =>
        this.q.insertUser.run(u.id, u.email, u.passwordHash, u.createdAt, u.passwordChangedAt, u.totpSecret, u.totpEnabled ? 1 : 0, JSON.stringify(u.recoveryCodeHashes), u.totpLastStep, u.disabledAt),
      );
    } catch (e) {
      if (isEmailTaken(e)) throw new SessiondError('email_taken');
      throw e;
    }
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    const r = this.guard(() => this.q.userById.get(id) as UserRow | undefined);
    return r ? userFromRow(r) : null;
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const r = this.guard(() => this.q.userByEmail.get(email) as UserRow | undefined);
    return r ? userFromRow(r) : null;
  }

  async updateUser(id: string, patch: UserPatch): Promise<void> {
    this.guard(() => this.q.updateUser.run(patch, id));
  }

  async useSecondFactor(id: string, use: SecondFactorUse): Promise<boolean> {
    const r = this.guard(() => ('totpStep' in use ? this.q.useTotpStep.run({ id, step: use.totpStep }) : this.q.useRecoveryCode.run({ id, hash: use.recoveryCodeHash })));
    return r.changes === 1;
  }

  // Sessions

  async createSession(session: SessionRecord, limit?: SessionLimit): Promise<CreateSessionResult> {
    const row = sessionToRow(session);
    if (!limit || (limit.max <= 0 && !limit.ceiling)) {
      this.guard(() => this.q.insertSession.run(row));
      return { ok: true, evicted: [] };
    }
    // Count, evict and insert under one write lock, so parallel sign-ins cannot all slip under the limit.
    return this.transaction((): CreateSessionResult => {
      const evicted: SessionRecord[] = [];
      const evict = (rows: SessionRow[], ending: SessionEnding) => {
        for (const old of rows) {
          const ended = this.q.endSession.get({ ...endingParams(ending), id: old.id }) as SessionRow | undefined;
          if (ended) evicted.push(sessionFromRow(ended));
        }
      };
      if (limit.max > 0) {
        const active = this.q.activeOfUserApp.all(session.userId, session.app, limit.now) as SessionRow[];
        const excess = active.length + 1 - limit.max;
        if (excess > 0 && limit.onMax === 'reject') return { ok: false, active: active.map(sessionFromRow) };
        if (excess > 0) evict(active.slice(0, excess), limit.ending);
      }
      if (limit.ceiling) {
        const active = this.q.activeOfUser.all(session.userId, limit.now) as SessionRow[];
        evict(active.slice(0, Math.max(0, active.length + 1 - limit.ceiling.max)), limit.ceiling.ending);
      }
      this.q.insertSession.run(row);
      return { ok: true, evicted };
    });
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const r = this.guard(() => this.q.sessionById.get(id) as SessionRow | undefined);
    return r ? sessionFromRow(r) : null;
  }

  async updateSession(id: string, patch: SessionPatch): Promise<boolean> {
    return this.guard(() => {
      const result = this.q.updateSession.run(patch, id);
      return result ? result.changes === 1 : this.q.isActive.get(id) !== undefined;
    });
  }

  async rotateRefresh(id: string, expectedHash: string, patch: SessionPatch): Promise<boolean> {
    return this.guard(() => {
      const result = this.q.rotateRefresh.run(patch, id, expectedHash);
      return result ? result.changes === 1 : this.q.refreshMatches.get(id, expectedHash) !== undefined;
    });
  }

  async endSession(id: string, ending: SessionEnding): Promise<SessionRecord | null> {
    const r = this.guard(() => this.q.endSession.get({ ...endingParams(ending), id }) as SessionRow | undefined);
    return r ? sessionFromRow(r) : null;
  }

  async endUserSessions(userId: string, ending: SessionEnding, opts: { exceptId?: string; app?: string; trustedDeviceId?: string } = {}): Promise<SessionRecord[]> {
    // One UPDATE … RETURNING: atomic by itself (its own transaction), so no explicit one is needed.
    const rows = this.guard(
      () =>
        this.q.endUserSessions.all({
          ...endingParams(ending),
          userId,
          exceptId: opts.exceptId ?? null,
          app: opts.app ?? null,
          trustedDeviceId: opts.trustedDeviceId ?? null,
        }) as SessionRow[],
    );
    return rows.map(sessionFromRow);
  }

  async endAllSessions(ending: SessionEnding): Promise<number> {
    return this.guard(() => this.q.endAllSessions.run(endingParams(ending)).changes);
  }

  async listUserSessions(userId: string, now: number): Promise<SessionRecord[]> {
    const rows = this.guard(() => this.q.activeOfUser.all(userId, now) as SessionRow[]);
    return rows.map(sessionFromRow);
  }

  async sweep(now: number, opts: { limit: number; tombstoneTtlMs: number }): Promise<SweepResult> {
    return this.transaction((): SweepResult => {
      const timedOut = (this.q.timeOutDue.all({ now, limit: opts.limit, tombstoneTtlMs: opts.tombstoneTtlMs }) as SessionRow[]).map(sessionFromRow);
      const purged = this.q.purgeDue.run(now, opts.limit).changes;
      // Expired throttling counters are dead weight too; they go in the same bounded way.
      this.q.purgeCounters.run(now, opts.limit);
      return { timedOut, purged };
    });
  }

  // Trusted devices

  async createTrustedDevice(d: TrustedDeviceRecord): Promise<void> {
    // `?? null`: a device migrated from an older Redis store lacks secondFactorAt.
    this.guard(() => this.q.insertDevice.run(d.id, d.userId, d.secretHash, d.label, d.createdAt, d.lastUsedAt, d.expiresAt, d.secondFactorAt ?? null));
  }

  async findTrustedDevice(id: string): Promise<TrustedDeviceRecord | null> {
    const r = this.guard(() => this.q.deviceById.get(id) as DeviceRow | undefined);
    return r ? deviceFromRow(r) : null;
  }

  async updateTrustedDevice(id: string, patch: DevicePatch): Promise<void> {
    this.guard(() => this.q.updateDevice.run(patch, id));
  }

  async listTrustedDevices(userId: string, now: number): Promise<TrustedDeviceRecord[]> {
    const rows = this.guard(() => this.q.devicesOfUser.all(userId, now) as DeviceRow[]);
    return rows.map(deviceFromRow);
  }

  async deleteTrustedDevice(userId: string, id: string): Promise<boolean> {
    return this.guard(() => this.q.deleteDevice.run(id, userId).changes === 1);
  }

  // Audit log and feed

  async recordEvent(event: NewAuditEvent): Promise<AuditEvent> {
    return this.guard(() => this.events.record(event));
  }

  async listEvents(query: EventQuery): Promise<AuditEvent[]> {
    return this.guard(() => this.events.list(query));
  }

  subscribe(listener: (event: AuditEvent) => void): () => void {
    return this.events.subscribe(listener);
  }

  // Counters

  async incrementCounter(key: string, ttlMs: number, now: number): Promise<number> {
    return this.guard(() => (this.q.incrementCounter.get({ key, expiresAt: now + ttlMs, now }) as { value: number }).value);
  }

  async decrementCounter(key: string, now: number): Promise<void> {
    this.guard(() => this.q.decrementCounter.run(key, now));
  }

  async peekCounter(key: string, now: number): Promise<number> {
    return this.guard(() => (this.q.peekCounter.get(key, now) as { value: number } | undefined)?.value ?? 0);
  }

  async resetCounter(key: string): Promise<void> {
    this.guard(() => this.q.resetCounter.run(key));
  }

  // Signing keys

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    const rows = this.guard(() => this.q.signingKeys.all() as { record: string }[]);
    return rows.map((r) => JSON.parse(r.record) as SigningKeyRecord);
  }

  async claimSetting(name: string, value: string): Promise<string> {
    return this.guard(() => {
      this.q.claimSetting.run(name, value);
      return (this.q.setting.get(name) as { value: string }).value;
    });
  }

  async saveSigningKey(key: SigningKeyRecord): Promise<void> {
    this.guard(() => this.q.saveSigningKey.run(key.kid, JSON.stringify(key)));
  }

  async createAppKey(key: AppKeyRecord): Promise<void> {
    this.guard(() => this.q.insertAppKey.run(key.id, key.app, key.secretHash, JSON.stringify(key), key.lastUsedAt));
  }

  async listAppKeys(app: string): Promise<AppKeyRecord[]> {
    return (this.guard(() => this.q.appKeysOf.all(app)) as AppKeyRow[]).map(appKeyFromRow);
  }

  async findAppKeyByHash(secretHash: string): Promise<AppKeyRecord | null> {
    const row = this.guard(() => this.q.appKeyByHash.get(secretHash)) as AppKeyRow | undefined;
    return row ? appKeyFromRow(row) : null;
  }

  async deleteAppKey(app: string, id: string): Promise<boolean> {
    return this.guard(() => this.q.deleteAppKey.run(id, app)).changes > 0;
  }

  async touchAppKey(id: string, lastUsedAt: number): Promise<void> {
    this.guard(() => this.q.touchAppKey.run(lastUsedAt, id));
  }
}

/**
 * `path` is a file (its folder is created) or ':memory:'. Until the server's config passes
 * `synchronous`, the documented SESSIOND_SQLITE_SYNC=full is honoured here, at the edge.
 */
export function createSqliteStore(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
  const synchronous = opts.synchronous ?? (process.env.SESSIOND_SQLITE_SYNC?.toLowerCase() === 'full' ? 'full' : 'normal');
  return new SqliteStore(path, { ...opts, synchronous });
}
