import type pg from 'pg';
import {
  admitSession,
  limitApplies,
  timeoutEnding,
  type CreateSessionResult,
  type EndUserSessionsFilter,
  type SessionEnding,
  type SessionLimit,
  type SessionPatch,
  type SessionRecord,
  type SessionStore,
  type SweepResult,
} from '@sessiond/core';
import type { PgConnection } from './connection.ts';

const INSERT = 'INSERT INTO sessions (id, user_id, app, body, idle_expires_at, absolute_expires_at, ended_at, purge_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)';
const insertValues = (s: SessionRecord) => [s.id, s.userId, s.app, JSON.stringify(s), s.idleExpiresAt, s.absoluteExpiresAt, s.endedAt, s.purgeAt];
const endPatch = (e: SessionEnding) => JSON.stringify({ endedAt: e.at, endReason: e.reason, endDetail: e.detail ?? null, purgeAt: e.purgeAt });
/** Ends the listed sessions that have not ended, each with its own ending, in one statement. */
const END_EACH = `UPDATE sessions s SET body = s.body || e.patch, ended_at = e.at, purge_at = e.purge
  FROM unnest($1::text[], $2::jsonb[], $3::bigint[], $4::bigint[]) AS e(id, patch, at, purge)
  WHERE s.id = e.id AND s.ended_at IS NULL RETURNING s.body`;
const END = `UPDATE sessions SET body = body || $2::jsonb, ended_at = $3, purge_at = $4 WHERE id = $1 AND ended_at IS NULL RETURNING body`;

async function endEach(c: pg.PoolClient, endings: { session: SessionRecord; ending: SessionEnding }[]): Promise<SessionRecord[]> {
  if (endings.length === 0) return [];
  const cols = [endings.map((x) => x.session.id), endings.map((x) => endPatch(x.ending)), endings.map((x) => x.ending.at), endings.map((x) => x.ending.purgeAt)];
  const ended = new Map((await c.query<{ body: SessionRecord }>(END_EACH, cols)).rows.map((r) => [r.body.id, r.body]));
  // In the order given (RETURNING has none), so evictions come back oldest first.
  return endings.flatMap((x) => ended.get(x.session.id) ?? []);
}

/**
 * Each session row keeps its record as JSONB beside the columns that are indexed;
 * first-caller-wins endings and compare-and-set rotation are single UPDATE statements, and
 * per-user limits serialise on a transaction-scoped advisory lock.
 */
export class PgSessions implements SessionStore {
  constructor(private readonly c: PgConnection) {}

  async createSession(session: SessionRecord, limit?: SessionLimit): Promise<CreateSessionResult> {
    if (!limitApplies(limit)) {
      await this.c.q(INSERT, insertValues(session), 'insert_session');
      return { ok: true, evicted: [] };
    }
    return this.c.tx(async (c) => {
      // Serialise sign-ins of one user so a burst cannot exceed the limit.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sessiond-user:${session.userId}`]);
      const active = await c.query<{ body: SessionRecord }>('SELECT body FROM sessions WHERE user_id = $1 AND ended_at IS NULL AND deadline > $2', [session.userId, limit.now]);
      const admission = admitSession(session, active.rows.map((r) => r.body), limit);
      if (!admission.ok) return admission;
      const evicted = await endEach(c, admission.evict);
      await c.query(INSERT, insertValues(session));
      return { ok: true as const, evicted };
    });
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const r = await this.c.q<{ body: SessionRecord }>('SELECT body FROM sessions WHERE id = $1', [id], 'find_session');
    return r.rows[0]?.body ?? null;
  }

  updateSession(id: string, patch: SessionPatch): Promise<boolean> {
    return this.patch(id, patch, null);
  }

  rotateRefresh(id: string, expectedHash: string, patch: SessionPatch): Promise<boolean> {
    return this.patch(id, patch, expectedHash);
  }

  private async patch(id: string, patch: SessionPatch, expectedHash: string | null): Promise<boolean> {
    const r = await this.c.q(
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
    const r = await this.c.q<{ body: SessionRecord }>(END, [id, endPatch(ending), ending.at, ending.purgeAt], 'end_session');
    return r.rows[0]?.body ?? null;
  }

  async endUserSessions(userId: string, ending: SessionEnding, opts: EndUserSessionsFilter = {}): Promise<SessionRecord[]> {
    const r = await this.c.q<{ body: SessionRecord }>(
      `UPDATE sessions SET body = body || $2::jsonb, ended_at = $3, purge_at = $4
       WHERE user_id = $1 AND ended_at IS NULL
         AND ($5::text IS NULL OR id <> $5) AND ($6::text IS NULL OR app = $6) AND ($7::text IS NULL OR body->>'trustedDeviceId' = $7)
       RETURNING body`,
      [userId, endPatch(ending), ending.at, ending.purgeAt, opts.exceptId ?? null, opts.app ?? null, opts.trustedDeviceId ?? null],
    );
    return r.rows.map((x) => x.body);
  }

  async endAllSessions(ending: SessionEnding): Promise<number> {
    const r = await this.c.q('UPDATE sessions SET body = body || $1::jsonb, ended_at = $2, purge_at = $3 WHERE ended_at IS NULL', [endPatch(ending), ending.at, ending.purgeAt]);
    return r.rowCount ?? 0;
  }

  async listUserSessions(userId: string, now: number): Promise<SessionRecord[]> {
    const r = await this.c.q<{ body: SessionRecord }>('SELECT body FROM sessions WHERE user_id = $1 AND ended_at IS NULL AND deadline > $2', [userId, now], 'list_sessions');
    return r.rows.map((x) => x.body);
  }

  async sweep(now: number, opts: { limit: number; tombstoneTtlMs: number }): Promise<SweepResult> {
    // Walks the partial deadline index from its low end; SKIP LOCKED lets nodes sweep side by side.
    const timedOut = await this.c.tx(async (c) => {
      const due = await c.query<{ body: SessionRecord }>('SELECT body FROM sessions WHERE ended_at IS NULL AND deadline <= $1 ORDER BY deadline LIMIT $2 FOR UPDATE SKIP LOCKED', [now, opts.limit]);
      return endEach(c, due.rows.map((r) => ({ session: r.body, ending: timeoutEnding(r.body, opts.tombstoneTtlMs) })));
    });
    const purged = await this.c.q('DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE ended_at IS NOT NULL AND purge_at <= $1 ORDER BY purge_at LIMIT $2)', [now, opts.limit]);
    await this.c.q('DELETE FROM counters WHERE key IN (SELECT key FROM counters WHERE expires_at <= $1 LIMIT $2)', [now, opts.limit]);
    return { timedOut, purged: purged.rowCount ?? 0 };
  }
}
