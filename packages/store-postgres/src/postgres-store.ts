import pg from 'pg';
import {
  SessiondError,
  StoreUnavailableError,
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
  type TrustedDevicePatch,
  type TrustedDeviceRecord,
  type UserRecord,
} from '@sessiond/core';
import { MIGRATIONS } from './migrations.ts';

// BIGINT epoch milliseconds fit a double exactly; read them as numbers, not strings.
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)),
};

/** Connection-class failures (SQLSTATE 08, 53, 57P; socket errors) mean the store is away. */
function unavailable(e: unknown): boolean {
  const code = String((e as { code?: string }).code ?? '');
  const msg = String((e as Error).message ?? '');
  return /^(08|53|57P)/.test(code) || /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|NOTFOUND)$/.test(code) || /Connection terminated|timeout|not queryable|Client was closed|Cannot use a pool after calling end/i.test(msg);
}

/** How far below the highest delivered id a catch-up looks for events committed late. */
const CATCH_UP_WINDOW = 1000;

const endPatch = (e: SessionEnding) => JSON.stringify({ endedAt: e.at, endReason: e.reason, endDetail: e.detail ?? null, purgeAt: e.purgeAt });
const END_SQL = `UPDATE sessions SET body = body || $2::jsonb, ended_at = $3, purge_at = $4 WHERE id = $1 AND ended_at IS NULL RETURNING body`;

/**
 * PostgreSQL store. Each session row keeps its record as JSONB beside the columns that are
 * indexed; first-caller-wins endings and compare-and-set rotation are single UPDATE statements,
 * and per-user limits serialise on a transaction-scoped advisory lock. Events are a table plus
 * NOTIFY in the same statement, so a subscriber never hears of an event that was not stored.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly channel: string;
  private listener: pg.Client | null = null;
  /** floor: the newest event when this store first listened; nothing at or below it is replayed. */
  private readonly delivered = { floor: null as number | null, max: 0, recent: new Set<number>() };
  private readonly listeners = new Set<(e: AuditEvent) => void>();
  private closed = false;

  constructor(
    private readonly url: string,
    opts: { schema?: string } = {},
  ) {
    this.schema = opts.schema ?? 'sessiond';
    if (!/^[a-z_][a-z0-9_]{0,50}$/.test(this.schema)) throw new Error(`invalid schema name ${this.schema}`);
    this.channel = `sessiond_events_${this.schema}`;
    this.pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 2000, query_timeout: 5000, types, options: `-c search_path=${this.schema}` });
    this.pool.on('error', () => {});
  }

  private async q<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values: unknown[] = [], name?: string): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(name ? { name, text, values } : { text, values });
    } catch (e) {
      throw unavailable(e) ? new StoreUnavailableError(e) : e;
    }
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw new StoreUnavailableError(e);
    }
    try {
      await client.query('BEGIN');
      const r = await fn(client);
      await client.query('COMMIT');
      return r;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw unavailable(e) ? new StoreUnavailableError(e) : e;
    } finally {
      client.release();
    }
  }

  async init(): Promise<void> {
    await this.tx(async (c) => {
      // Several nodes may start together: one applies migrations while the others wait.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sessiond-migrations:${this.schema}`]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await c.query(`SET LOCAL search_path = ${this.schema}`);
      await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      const applied = new Set((await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      for (const [i, sql] of MIGRATIONS.entries()) {
        if (applied.has(i + 1)) continue;
        await c.query(sql);
        await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [i + 1, Date.now()]);
      }
    });
    await this.listen();
  }

  /**
   * A dedicated LISTEN connection that comes back by itself after it is lost, and then delivers
   * what was recorded while it was away (NOTIFY is not queued for a listener that is gone), so an
   * ending made during the gap still reaches the browsers watching on this node.
   */
  private async listen(): Promise<void> {
    if (this.closed) return;
    // Named, so an operator (or a test) can tell the listener apart in pg_stat_activity.
    const client = new pg.Client({ connectionString: this.url, types, connectionTimeoutMillis: 2000, application_name: `sessiond-listen:${this.schema}` });
    client.on('notification', (n) => {
      if (n.payload) this.deliver(JSON.parse(n.payload) as AuditEvent);
    });
    const retry = () => {
      if (this.listener !== client) return;
      this.listener = null;
      client.removeAllListeners('notification');
      void client.end().catch(() => {});
      setTimeout(() => void this.listen().catch(() => {}), 500).unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      // Listening now: anything committed from here on is notified; what came before is in the table.
      const d = this.delivered;
      if (d.floor === null) d.floor = d.max = Number((await this.listEvents({ limit: 1 }))[0]?.id ?? 0);
      else for (const e of await this.listEvents({ afterId: String(Math.max(d.floor, d.max - CATCH_UP_WINDOW)), limit: 10_000 })) this.deliver(e);
    } catch {
      retry();
    }
  }

  /**
   * Hands an event to the listeners once. Ids are given at insert but notified at commit, so they
   * may arrive out of order: catching up re-reads a window below the highest id seen, and a set of
   * recent ids keeps what was delivered already from being delivered again.
   */
  private deliver(e: AuditEvent): void {
    const id = Number(e.id);
    const d = this.delivered;
    if (d.recent.has(id)) return;
    d.recent.add(id);
    if (d.recent.size > CATCH_UP_WINDOW * 4) d.recent.delete(d.recent.values().next().value!);
    d.max = Math.max(d.max, id);
    for (const l of this.listeners) l(e);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    const l = this.listener;
    this.listener = null;
    await l?.end().catch(() => {});
    await this.pool.end().catch(() => {});
  }

  async ping(): Promise<void> {
    await this.q('SELECT 1');
  }

  async createUser(u: UserRecord): Promise<void> {
    try {
      await this.q(
        'INSERT INTO users (id, email, password_hash, created_at, password_changed_at, totp_secret, totp_enabled, recovery_code_hashes, totp_last_step, disabled_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)',
        [u.id, u.email, u.passwordHash, u.createdAt, u.passwordChangedAt, u.totpSecret, u.totpEnabled, JSON.stringify(u.recoveryCodeHashes), u.totpLastStep, u.disabledAt],
      );
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new SessiondError('email_taken');
      throw e;
    }
  }

  private userFrom(r: Record<string, unknown>): UserRecord {
    return {
      id: r.id as string,
      email: r.email as string,
      passwordHash: r.password_hash as string,
      createdAt: r.created_at as number,
      passwordChangedAt: r.password_changed_at as number,
      totpSecret: (r.totp_secret as string | null) ?? null,
      totpEnabled: r.totp_enabled as boolean,
      recoveryCodeHashes: r.recovery_code_hashes as string[],
      totpLastStep: (r.totp_last_step as number | null) ?? null,
      disabledAt: (r.disabled_at as number | null) ?? null,
    };
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    const r = await this.q('SELECT * FROM users WHERE id = $1', [id], 'user_by_id');
    return r.rows[0] ? this.userFrom(r.rows[0]) : null;
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const r = await this.q('SELECT * FROM users WHERE email = $1', [email], 'user_by_email');
    return r.rows[0] ? this.userFrom(r.rows[0]) : null;
  }

  async useSecondFactor(id: string, use: SecondFactorUse): Promise<boolean> {
    const r =
      'totpStep' in use
        ? await this.q('UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)', [id, use.totpStep])
        : await this.q('UPDATE users SET recovery_code_hashes = recovery_code_hashes - $2::text WHERE id = $1 AND recovery_code_hashes ? $2', [id, use.recoveryCodeHash]);
    return r.rowCount === 1;
  }

  async updateUser(id: string, patch: Partial<Omit<UserRecord, 'id' | 'email' | 'createdAt'>>): Promise<void> {
    const cols: Record<string, [string, (v: unknown) => unknown]> = {
      passwordHash: ['password_hash', (v) => v],
      passwordChangedAt: ['password_changed_at', (v) => v],
      totpSecret: ['totp_secret', (v) => v],
      totpEnabled: ['totp_enabled', (v) => v],
      recoveryCodeHashes: ['recovery_code_hashes', (v) => JSON.stringify(v)],
      totpLastStep: ['totp_last_step', (v) => v],
      disabledAt: ['disabled_at', (v) => v],
    };
    const sets: string[] = [];
    const values: unknown[] = [id];
    for (const [k, v] of Object.entries(patch)) {
      const c = cols[k];
      if (!c || v === undefined) continue;
      values.push(c[1](v));
      sets.push(`${c[0]} = $${values.length}`);
    }
    if (sets.length) await this.q(`UPDATE users SET ${sets.join(', ')} WHERE id = $1`, values);
  }

  private static insertValues(s: SessionRecord): unknown[] {
    return [s.id, s.userId, s.app, JSON.stringify(s), s.idleExpiresAt, s.absoluteExpiresAt, s.endedAt, s.purgeAt];
  }

  async createSession(session: SessionRecord, limit?: SessionLimit): Promise<CreateSessionResult> {
    const insert = 'INSERT INTO sessions (id, user_id, app, body, idle_expires_at, absolute_expires_at, ended_at, purge_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)';
    if (!limit || (limit.max <= 0 && !limit.ceiling)) {
      await this.q(insert, PostgresStore.insertValues(session), 'insert_session');
      return { ok: true, evicted: [] };
    }
    return this.tx(async (c) => {
      // Serialise sign-ins of one user so a burst cannot exceed the limit.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sessiond-user:${session.userId}`]);
      // Oldest first; app null: across apps.
      const activeOf = async (app: string | null) =>
        (
          await c.query<{ body: SessionRecord }>(
            'SELECT body FROM sessions WHERE user_id = $1 AND ($2::text IS NULL OR app = $2) AND ended_at IS NULL AND deadline > $3 ORDER BY (body->>\'createdAt\')::bigint, id',
            [session.userId, app, limit.now],
          )
        ).rows.map((r) => r.body);
      const evicted: SessionRecord[] = [];
      const evict = async (sessions: SessionRecord[], ending: SessionEnding) => {
        for (const s of sessions) {
          const r = await c.query<{ body: SessionRecord }>(END_SQL, [s.id, endPatch(ending), ending.at, ending.purgeAt]);
          if (r.rows[0]) evicted.push(r.rows[0].body);
        }
      };
      if (limit.max > 0) {
        const active = await activeOf(session.app);
        const excess = active.length + 1 - limit.max;
        if (excess > 0 && limit.onMax === 'reject') return { ok: false as const, active };
        if (excess > 0) await evict(active.slice(0, excess), limit.ending);
      }
      if (limit.ceiling) {
        const active = await activeOf(null);
        await evict(active.slice(0, Math.max(0, active.length + 1 - limit.ceiling.max)), limit.ceiling.ending);
      }
      await c.query(insert, PostgresStore.insertValues(session));
      return { ok: true as const, evicted };
    });
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const r = await this.q<{ body: SessionRecord }>('SELECT body FROM sessions WHERE id = $1', [id], 'find_session');
    return r.rows[0]?.body ?? null;
  }

  async updateSession(id: string, patch: SessionPatch): Promise<boolean> {
    return this.patch(id, patch, null);
  }

  async rotateRefresh(id: string, expectedHash: string, patch: SessionPatch): Promise<boolean> {
    return this.patch(id, patch, expectedHash);
  }

  private async patch(id: string, patch: SessionPatch, expectedHash: string | null): Promise<boolean> {
    const r = await this.q(
      `UPDATE sessions SET body = body || $2::jsonb,
         idle_expires_at = COALESCE(($2::jsonb->>'idleExpiresAt')::bigint, idle_expires_at),
         purge_at = COALESCE(($2::jsonb->>'purgeAt')::bigint, purge_at)
       WHERE id = $1 AND ended_at IS NULL AND ($3::text IS NULL OR body->'refresh'->>'hash' = $3)`,
      [id, JSON.stringify(patch), expectedHash],
      'patch_session',
    );
    return r.rowCount === 1;
  }

  async endSession(id: string, ending: SessionEnding): Promise<SessionRecord | null> {
    const r = await this.q<{ body: SessionRecord }>(END_SQL, [id, endPatch(ending), ending.at, ending.purgeAt], 'end_session');
    return r.rows[0]?.body ?? null;
  }

  async endUserSessions(userId: string, ending: SessionEnding, opts: { exceptId?: string; app?: string; trustedDeviceId?: string } = {}): Promise<SessionRecord[]> {
    const r = await this.q<{ body: SessionRecord }>(
      `UPDATE sessions SET body = body || $2::jsonb, ended_at = $3, purge_at = $4
       WHERE user_id = $1 AND ended_at IS NULL
         AND ($5::text IS NULL OR id <> $5) AND ($6::text IS NULL OR app = $6) AND ($7::text IS NULL OR body->>'trustedDeviceId' = $7)
       RETURNING body`,
      [userId, endPatch(ending), ending.at, ending.purgeAt, opts.exceptId ?? null, opts.app ?? null, opts.trustedDeviceId ?? null],
    );
    return r.rows.map((x) => x.body);
  }

  async endAllSessions(ending: SessionEnding): Promise<number> {
    const r = await this.q('UPDATE sessions SET body = body || $1::jsonb, ended_at = $2, purge_at = $3 WHERE ended_at IS NULL', [endPatch(ending), ending.at, ending.purgeAt]);
    return r.rowCount ?? 0;
  }

  async listUserSessions(userId: string, now: number): Promise<SessionRecord[]> {
    const r = await this.q<{ body: SessionRecord }>('SELECT body FROM sessions WHERE user_id = $1 AND ended_at IS NULL AND deadline > $2', [userId, now], 'list_sessions');
    return r.rows.map((x) => x.body);
  }

  async sweep(now: number, opts: { limit: number; tombstoneTtlMs: number }): Promise<SweepResult> {
    // Both statements walk partial indexes from their low end: cost follows what is due.
    const timedOut = await this.q<{ body: SessionRecord }>(
      `UPDATE sessions s SET
         body = s.body || jsonb_build_object('endedAt', s.deadline, 'endReason', CASE WHEN s.absolute_expires_at <= s.idle_expires_at THEN 'absolute_timeout' ELSE 'idle_timeout' END, 'endDetail', NULL, 'purgeAt', s.deadline + $2),
         ended_at = s.deadline, purge_at = s.deadline + $2
       FROM (SELECT id FROM sessions WHERE ended_at IS NULL AND deadline <= $1 ORDER BY deadline LIMIT $3 FOR UPDATE SKIP LOCKED) due
       WHERE s.id = due.id AND s.ended_at IS NULL
       RETURNING s.body`,
      [now, opts.tombstoneTtlMs, opts.limit],
    );
    const purged = await this.q('DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE ended_at IS NOT NULL AND purge_at <= $1 ORDER BY purge_at LIMIT $2)', [now, opts.limit]);
    await this.q('DELETE FROM counters WHERE key IN (SELECT key FROM counters WHERE expires_at <= $1 LIMIT $2)', [now, opts.limit]);
    return { timedOut: timedOut.rows.map((r) => r.body), purged: purged.rowCount ?? 0 };
  }

  async createTrustedDevice(d: TrustedDeviceRecord): Promise<void> {
    await this.q('INSERT INTO trusted_devices (id, user_id, body, expires_at) VALUES ($1, $2, $3, $4)', [d.id, d.userId, JSON.stringify(d), d.expiresAt]);
  }

  async findTrustedDevice(id: string): Promise<TrustedDeviceRecord | null> {
    const r = await this.q<{ body: TrustedDeviceRecord }>('SELECT body FROM trusted_devices WHERE id = $1', [id]);
    return r.rows[0]?.body ?? null;
  }

  async updateTrustedDevice(id: string, patch: TrustedDevicePatch): Promise<void> {
    await this.q(`UPDATE trusted_devices SET body = body || $2::jsonb, expires_at = COALESCE(($2::jsonb->>'expiresAt')::bigint, expires_at) WHERE id = $1`, [id, JSON.stringify(patch)]);
  }

  async listTrustedDevices(userId: string, now: number): Promise<TrustedDeviceRecord[]> {
    const r = await this.q<{ body: TrustedDeviceRecord }>(`SELECT body FROM trusted_devices WHERE user_id = $1 AND expires_at > $2 ORDER BY (body->>'lastUsedAt')::bigint DESC`, [userId, now]);
    return r.rows.map((x) => x.body);
  }

  async deleteTrustedDevice(userId: string, id: string): Promise<boolean> {
    return ((await this.q('DELETE FROM trusted_devices WHERE id = $1 AND user_id = $2', [id, userId])).rowCount ?? 0) === 1;
  }

  async recordEvent(event: NewAuditEvent): Promise<AuditEvent> {
    // Stored and announced in one statement: NOTIFY is delivered only if the insert commits.
    const r = await this.q<{ id: number }>(
      `WITH ins AS (INSERT INTO events (user_id, session_id, body) VALUES ($1, $2, $3::jsonb) RETURNING id, body)
       SELECT ins.id, pg_notify($4, (ins.body || jsonb_build_object('id', ins.id::text))::text) FROM ins`,
      [event.userId, event.sessionId, JSON.stringify(event), this.channel],
      'record_event',
    );
    return { ...event, id: String(r.rows[0]!.id) };
  }

  async listEvents(q: EventQuery): Promise<AuditEvent[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (q.userId !== undefined) (values.push(q.userId), where.push(`user_id = $${values.length}`));
    if (q.sessionId !== undefined) (values.push(q.sessionId), where.push(`session_id = $${values.length}`));
    if (q.afterId !== undefined) (values.push(Number(q.afterId) || 0), where.push(`id > $${values.length}`));
    values.push(q.limit);
    const r = await this.q<{ id: number; body: NewAuditEvent }>(
      `SELECT id, body FROM events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id ${q.afterId !== undefined ? 'ASC' : 'DESC'} LIMIT $${values.length}`,
      values,
    );
    return r.rows.map((x) => ({ ...x.body, id: String(x.id) }));
  }

  subscribe(listener: (event: AuditEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async incrementCounter(key: string, ttlMs: number, now: number): Promise<number> {
    const r = await this.q<{ value: number }>(
      `INSERT INTO counters (key, value, expires_at) VALUES ($1, 1, $2)
       ON CONFLICT (key) DO UPDATE SET
         value = CASE WHEN counters.expires_at <= $3 THEN 1 ELSE counters.value + 1 END,
         expires_at = CASE WHEN counters.expires_at <= $3 THEN EXCLUDED.expires_at ELSE counters.expires_at END
       RETURNING value`,
      [key, now + ttlMs, now],
    );
    return r.rows[0]!.value;
  }

  async decrementCounter(key: string, now: number): Promise<void> {
    // One statement: under concurrent updates PostgreSQL re-checks `value > 0` on the newest row.
    await this.q('UPDATE counters SET value = value - 1 WHERE key = $1 AND expires_at > $2 AND value > 0', [key, now]);
  }

  async peekCounter(key: string, now: number): Promise<number> {
    return (await this.q<{ value: number }>('SELECT value FROM counters WHERE key = $1 AND expires_at > $2', [key, now])).rows[0]?.value ?? 0;
  }

  async resetCounter(key: string): Promise<void> {
    await this.q('DELETE FROM counters WHERE key = $1', [key]);
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    return (await this.q<{ body: SigningKeyRecord }>('SELECT body FROM signing_keys')).rows.map((r) => r.body);
  }

  async saveSigningKey(key: SigningKeyRecord): Promise<void> {
    await this.q('INSERT INTO signing_keys (kid, body) VALUES ($1, $2) ON CONFLICT (kid) DO UPDATE SET body = EXCLUDED.body', [key.kid, JSON.stringify(key)]);
  }

  async claimSetting(name: string, value: string): Promise<string> {
    // The no-op update makes RETURNING answer the stored row when the name is taken.
    const r = await this.q<{ value: string }>('INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING value', [name, value]);
    return r.rows[0]!.value;
  }

  async createAppKey(key: AppKeyRecord): Promise<void> {
    await this.q('INSERT INTO app_keys (id, app, secret_hash, body, last_used_at) VALUES ($1, $2, $3, $4, $5)', [key.id, key.app, key.secretHash, JSON.stringify(key), key.lastUsedAt]);
  }

  async listAppKeys(app: string): Promise<AppKeyRecord[]> {
    return (await this.q<AppKeyRow>(`SELECT ${APP_KEY_COLUMNS} FROM app_keys WHERE app = $1 ORDER BY seq`, [app])).rows.map(appKeyFromRow);
  }

  async findAppKeyByHash(secretHash: string): Promise<AppKeyRecord | null> {
    const row = (await this.q<AppKeyRow>(`SELECT ${APP_KEY_COLUMNS} FROM app_keys WHERE secret_hash = $1`, [secretHash])).rows[0];
    return row ? appKeyFromRow(row) : null;
  }

  async deleteAppKey(app: string, id: string): Promise<boolean> {
    return ((await this.q('DELETE FROM app_keys WHERE id = $1 AND app = $2', [id, app])).rowCount ?? 0) > 0;
  }

  async touchAppKey(id: string, lastUsedAt: number): Promise<void> {
    await this.q('UPDATE app_keys SET last_used_at = $1 WHERE id = $2', [lastUsedAt, id]);
  }
}

// lastUsedAt has its own column so that a touch rewrites one number, not the record.
const APP_KEY_COLUMNS = 'body, last_used_at';
type AppKeyRow = { body: AppKeyRecord; last_used_at: number | null };
const appKeyFromRow = (r: AppKeyRow): AppKeyRecord => ({ ...r.body, lastUsedAt: r.last_used_at });

/** `postgres://…?schema=name`: the schema holds every table (tests use a random one). */
export function createPostgresStore(url: string, opts: { schema?: string } = {}): PostgresStore {
  const u = new URL(url);
  const schema = opts.schema ?? u.searchParams.get('schema') ?? undefined;
  u.searchParams.delete('schema');
  return new PostgresStore(u.toString(), { schema });
}
