import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  SessiondError,
  StoreUnavailableError,
  type AuditEvent,
  type CreateSessionResult,
  type EventQuery,
  type NewAuditEvent,
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
import { MIGRATIONS } from './migrations.ts';
import {
  PATCH_COLUMNS,
  USER_PATCH_COLUMNS,
  deviceFromRow,
  eventFromRow,
  sessionFromRow,
  sessionToRow,
  userFromRow,
  type DeviceRow,
  type EventRow,
  type SessionRow,
  type UserRow,
} from './rows.ts';

type Statement = Database.Statement;

const DEADLINE = 'min(idle_expires_at, absolute_expires_at)';

/**
 * The embedded default store. better-sqlite3 is synchronous, so each method runs to completion
 * before any other JavaScript: atomic by construction; multi-statement changes use transactions.
 * Single node only: events are published in-process.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private db!: Database.Database;
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly stmts = new Map<string, Statement>();

  constructor(private readonly path: string) {}

  async init(): Promise<void> {
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
    this.db = new Database(this.path);
    // WAL with synchronous=NORMAL survives a process crash (kill -9) without losing a committed
    // write; only an OS crash or power loss can drop the last transactions. FULL would fsync every
    // sign-in; set SESSIOND_SQLITE_SYNC=full for that guarantee.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${process.env.SESSIOND_SQLITE_SYNC === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    const applied = new Set((this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
    MIGRATIONS.forEach((sql, i) => {
      const version = i + 1;
      if (applied.has(version)) return;
      this.db.transaction(() => {
        this.db.exec(sql);
        this.db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
      })();
    });
  }

  /** Statements are prepared once and reused: preparing is the expensive part. */
  private stmt(sql: string): Statement {
    let s = this.stmts.get(sql);
    if (!s) this.stmts.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  private run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof SessiondError) throw e;
      const code = (e as { code?: string }).code ?? '';
      if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw e;
      if (code.startsWith('SQLITE_') || (e as Error).message?.includes('database connection is not open')) throw new StoreUnavailableError(e);
      throw e;
    }
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
    if (this.db?.open) this.db.close();
  }

  async ping(): Promise<void> {
    this.run(() => this.stmt('SELECT 1').get());
  }

  async createUser(user: UserRecord): Promise<void> {
    try {
      this.run(() =>
        this.stmt(
          `INSERT INTO users (id, email, password_hash, created_at, password_changed_at, totp_secret, totp_enabled, recovery_code_hashes)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(user.id, user.email, user.passwordHash, user.createdAt, user.passwordChangedAt, user.totpSecret, user.totpEnabled ? 1 : 0, JSON.stringify(user.recoveryCodeHashes)),
      );
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new SessiondError('email_taken');
      throw e;
    }
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    const r = this.run(() => this.stmt('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined);
    return r ? userFromRow(r) : null;
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const r = this.run(() => this.stmt('SELECT * FROM users WHERE email = ?').get(email) as UserRow | undefined);
    return r ? userFromRow(r) : null;
  }

  async updateUser(id: string, patch: Partial<Omit<UserRecord, 'id' | 'email' | 'createdAt'>>): Promise<void> {
    const { sql, values } = buildSet(patch, USER_PATCH_COLUMNS);
    if (!sql) return;
    this.run(() => this.stmt(`UPDATE users SET ${sql} WHERE id = ?`).run(...values, id));
  }

  private activeOf(userId: string, now: number, app?: string): SessionRecord[] {
    const rows = (
      app === undefined
        ? this.stmt(`SELECT * FROM sessions WHERE user_id = ? AND ended_at IS NULL AND ${DEADLINE} > ?`).all(userId, now)
        : this.stmt(`SELECT * FROM sessions WHERE user_id = ? AND app = ? AND ended_at IS NULL AND ${DEADLINE} > ?`).all(userId, app, now)
    ) as SessionRow[];
    return rows.map(sessionFromRow);
  }

  private endOne(id: string, ending: SessionEnding): SessionRecord | null {
    const changed = this.stmt('UPDATE sessions SET ended_at = ?, end_reason = ?, end_detail = ?, purge_at = ? WHERE id = ? AND ended_at IS NULL').run(
      ending.at,
      ending.reason,
      ending.detail ? JSON.stringify(ending.detail) : null,
      ending.purgeAt,
      id,
    ).changes;
    if (changed === 0) return null;
    return sessionFromRow(this.stmt('SELECT * FROM sessions WHERE id = ?').get(id) as SessionRow);
  }

  async createSession(session: SessionRecord, limit?: SessionLimit): Promise<CreateSessionResult> {
    return this.run(() =>
      this.db.transaction((): CreateSessionResult => {
        const evicted: SessionRecord[] = [];
        if (limit && limit.max > 0) {
          const active = this.activeOf(session.userId, limit.now, session.app).sort((a, b) => a.createdAt - b.createdAt);
          const excess = active.length + 1 - limit.max;
          if (excess > 0) {
            if (limit.onMax === 'reject') return { ok: false, active };
            for (const s of active.slice(0, excess)) {
              const ended = this.endOne(s.id, limit.ending);
              if (ended) evicted.push(ended);
            }
          }
        }
        const row = sessionToRow(session);
        const cols = Object.keys(row);
        this.stmt(`INSERT INTO sessions (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`).run(row);
        return { ok: true, evicted };
      }).immediate(),
    );
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const r = this.run(() => this.stmt('SELECT * FROM sessions WHERE id = ?').get(id) as SessionRow | undefined);
    return r ? sessionFromRow(r) : null;
  }

  async updateSession(id: string, patch: SessionPatch): Promise<boolean> {
    const { sql, values } = buildSet(patch, PATCH_COLUMNS);
    if (!sql) return (await this.findSession(id))?.endedAt === null;
    return this.run(() => this.stmt(`UPDATE sessions SET ${sql} WHERE id = ? AND ended_at IS NULL`).run(...values, id).changes === 1);
  }

  async rotateRefresh(id: string, expectedHash: string, patch: SessionPatch): Promise<boolean> {
    const { sql, values } = buildSet(patch, PATCH_COLUMNS);
    return this.run(
      () => this.stmt(`UPDATE sessions SET ${sql} WHERE id = ? AND ended_at IS NULL AND json_extract(refresh, '$.hash') = ?`).run(...values, id, expectedHash).changes === 1,
    );
  }

  async endSession(id: string, ending: SessionEnding): Promise<SessionRecord | null> {
    return this.run(() => this.db.transaction(() => this.endOne(id, ending))());
  }

  async endUserSessions(userId: string, ending: SessionEnding, opts: { exceptId?: string; app?: string; trustedDeviceId?: string } = {}): Promise<SessionRecord[]> {
    return this.run(() =>
      this.db.transaction(() => {
        const rows = this.stmt('SELECT id, app, trusted_device_id FROM sessions WHERE user_id = ? AND ended_at IS NULL').all(userId) as Pick<SessionRow, 'id' | 'app' | 'trusted_device_id'>[];
        const out: SessionRecord[] = [];
        for (const r of rows) {
          if (r.id === opts.exceptId) continue;
          if (opts.app !== undefined && r.app !== opts.app) continue;
          if (opts.trustedDeviceId !== undefined && r.trusted_device_id !== opts.trustedDeviceId) continue;
          const ended = this.endOne(r.id, ending);
          if (ended) out.push(ended);
        }
        return out;
      }).immediate(),
    );
  }

  async endAllSessions(ending: SessionEnding): Promise<number> {
    return this.run(
      () =>
        this.stmt('UPDATE sessions SET ended_at = ?, end_reason = ?, end_detail = ?, purge_at = ? WHERE ended_at IS NULL').run(
          ending.at,
          ending.reason,
          ending.detail ? JSON.stringify(ending.detail) : null,
          ending.purgeAt,
        ).changes,
    );
  }

  async listUserSessions(userId: string, now: number): Promise<SessionRecord[]> {
    return this.run(() => this.activeOf(userId, now));
  }

  async sweep(now: number, opts: { limit: number; tombstoneTtlMs: number }): Promise<SweepResult> {
    return this.run(() =>
      this.db.transaction((): SweepResult => {
        // Both queries walk partial indexes from their low end: cost follows what is due.
        const due = this.stmt(`SELECT * FROM sessions WHERE ended_at IS NULL AND ${DEADLINE} <= ? ORDER BY ${DEADLINE} LIMIT ?`).all(now, opts.limit) as SessionRow[];
        const timedOut: SessionRecord[] = [];
        for (const r of due) {
          const at = Math.min(r.idle_expires_at, r.absolute_expires_at);
          const reason = r.absolute_expires_at <= r.idle_expires_at ? 'absolute_timeout' : 'idle_timeout';
          const ended = this.endOne(r.id, { at, reason, purgeAt: at + opts.tombstoneTtlMs });
          if (ended) timedOut.push(ended);
        }
        const purged = this.stmt('DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE ended_at IS NOT NULL AND purge_at <= ? ORDER BY purge_at LIMIT ?)').run(now, opts.limit).changes;
        this.stmt('DELETE FROM counters WHERE key IN (SELECT key FROM counters WHERE expires_at <= ? LIMIT ?)').run(now, opts.limit);
        return { timedOut, purged };
      }).immediate(),
    );
  }

  async createTrustedDevice(d: TrustedDeviceRecord): Promise<void> {
    this.run(() =>
      this.stmt('INSERT INTO trusted_devices (id, user_id, secret_hash, label, created_at, last_used_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        d.id,
        d.userId,
        d.secretHash,
        d.label,
        d.createdAt,
        d.lastUsedAt,
        d.expiresAt,
      ),
    );
  }

  async findTrustedDevice(id: string): Promise<TrustedDeviceRecord | null> {
    const r = this.run(() => this.stmt('SELECT * FROM trusted_devices WHERE id = ?').get(id) as DeviceRow | undefined);
    return r ? deviceFromRow(r) : null;
  }

  async updateTrustedDevice(id: string, patch: Partial<Pick<TrustedDeviceRecord, 'lastUsedAt' | 'expiresAt' | 'label'>>): Promise<void> {
    const { sql, values } = buildSet(patch, { lastUsedAt: ['last_used_at', (v) => v], expiresAt: ['expires_at', (v) => v], label: ['label', (v) => v] });
    if (sql) this.run(() => this.stmt(`UPDATE trusted_devices SET ${sql} WHERE id = ?`).run(...values, id));
  }

  async listTrustedDevices(userId: string, now: number): Promise<TrustedDeviceRecord[]> {
    const rows = this.run(() => this.stmt('SELECT * FROM trusted_devices WHERE user_id = ? AND expires_at > ? ORDER BY last_used_at DESC').all(userId, now) as DeviceRow[]);
    return rows.map(deviceFromRow);
  }

  async deleteTrustedDevice(userId: string, id: string): Promise<boolean> {
    return this.run(() => this.stmt('DELETE FROM trusted_devices WHERE id = ? AND user_id = ?').run(id, userId).changes === 1);
  }

  async recordEvent(event: NewAuditEvent): Promise<AuditEvent> {
    const info = this.run(() =>
      this.stmt('INSERT INTO events (type, at, user_id, session_id, ip, reason, data) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        event.type,
        event.at,
        event.userId,
        event.sessionId,
        event.ip,
        event.reason,
        JSON.stringify(event.data),
      ),
    );
    const recorded: AuditEvent = { ...event, id: String(info.lastInsertRowid) };
    queueMicrotask(() => this.emitter.emit('event', recorded));
    return recorded;
  }

  async listEvents(q: EventQuery): Promise<AuditEvent[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (q.userId !== undefined) (where.push('user_id = ?'), values.push(q.userId));
    if (q.sessionId !== undefined) (where.push('session_id = ?'), values.push(q.sessionId));
    if (q.afterId !== undefined) (where.push('id > ?'), values.push(Number(q.afterId) || 0));
    const sql = `SELECT * FROM events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id ${q.afterId !== undefined ? 'ASC' : 'DESC'} LIMIT ?`;
    const rows = this.run(() => this.stmt(sql).all(...values, q.limit) as EventRow[]);
    return rows.map(eventFromRow);
  }

  subscribe(listener: (event: AuditEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  async incrementCounter(key: string, ttlMs: number, now: number): Promise<number> {
    return this.run(() => {
      const r = this.stmt(
        `INSERT INTO counters (key, value, expires_at) VALUES (?, 1, ?)
         ON CONFLICT (key) DO UPDATE SET
           value = CASE WHEN expires_at <= ? THEN 1 ELSE value + 1 END,
           expires_at = CASE WHEN expires_at <= ? THEN excluded.expires_at ELSE expires_at END
         RETURNING value`,
      ).get(key, now + ttlMs, now, now) as { value: number };
      return r.value;
    });
  }

  async resetCounter(key: string): Promise<void> {
    this.run(() => this.stmt('DELETE FROM counters WHERE key = ?').run(key));
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    const rows = this.run(() => this.stmt('SELECT record FROM signing_keys').all() as { record: string }[]);
    return rows.map((r) => JSON.parse(r.record) as SigningKeyRecord);
  }

  async saveSigningKey(key: SigningKeyRecord): Promise<void> {
    this.run(() => this.stmt('INSERT INTO signing_keys (kid, record) VALUES (?, ?) ON CONFLICT (kid) DO UPDATE SET record = excluded.record').run(key.kid, JSON.stringify(key)));
  }
}

/** "col1 = ?, col2 = ?" for the keys present in a patch, with encoded values. */
function buildSet(patch: object, columns: Record<string, [string, (v: unknown) => unknown]>): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(patch)) {
    const col = columns[key];
    if (!col || value === undefined) continue;
    parts.push(`${col[0]} = ?`);
    values.push(col[1](value));
  }
  return { sql: parts.join(', '), values };
}

export function createSqliteStore(path: string): SqliteStore {
  return new SqliteStore(path);
}
