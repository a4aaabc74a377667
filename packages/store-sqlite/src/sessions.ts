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
import type { SqliteConnection } from './connection.ts';
import { guard } from './errors.ts';
import { sessionFromRow, sessionToRow, type SessionRow } from './rows.ts';

const endingParams = (e: SessionEnding) => ({ at: e.at, reason: e.reason, detail: e.detail ? JSON.stringify(e.detail) : null, purgeAt: e.purgeAt });

export class SqliteSessions implements SessionStore {
  constructor(private readonly c: SqliteConnection) {}

  private end(id: string, ending: SessionEnding): SessionRecord | null {
    const r = this.c.q.endSession.get({ ...endingParams(ending), id }) as SessionRow | undefined;
    return r ? sessionFromRow(r) : null;
  }

  async createSession(session: SessionRecord, limit?: SessionLimit): Promise<CreateSessionResult> {
    const row = sessionToRow(session);
    if (!limitApplies(limit)) {
      guard(() => this.c.q.insertSession.run(row));
      return { ok: true, evicted: [] };
    }
    // Read, decide (core's rule), evict and insert under one write lock, so parallel sign-ins
    // cannot all slip under the limit.
    return this.c.transaction((): CreateSessionResult => {
      const active = (this.c.q.activeOfUser.all(session.userId, limit.now) as SessionRow[]).map(sessionFromRow);
      const admission = admitSession(session, active, limit);
      if (!admission.ok) return admission;
      const evicted = admission.evict.flatMap(({ session: s, ending }) => this.end(s.id, ending) ?? []);
      this.c.q.insertSession.run(row);
      return { ok: true, evicted };
    });
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const r = guard(() => this.c.q.sessionById.get(id) as SessionRow | undefined);
    return r ? sessionFromRow(r) : null;
  }

  async updateSession(id: string, patch: SessionPatch): Promise<boolean> {
    return guard(() => {
      const result = this.c.q.updateSession.run(patch, id);
      return result ? result.changes === 1 : this.c.q.isActive.get(id) !== undefined;
    });
  }

  async rotateRefresh(id: string, expectedHash: string, patch: SessionPatch): Promise<boolean> {
    return guard(() => {
      const result = this.c.q.rotateRefresh.run(patch, id, expectedHash);
      return result ? result.changes === 1 : this.c.q.refreshMatches.get(id, expectedHash) !== undefined;
    });
  }

  async endSession(id: string, ending: SessionEnding): Promise<SessionRecord | null> {
    return guard(() => this.end(id, ending));
  }

  async endUserSessions(userId: string, ending: SessionEnding, opts: EndUserSessionsFilter = {}): Promise<SessionRecord[]> {
    // One UPDATE … RETURNING: atomic by itself (its own transaction), so no explicit one is needed.
    const rows = guard(
      () =>
        this.c.q.endUserSessions.all({
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
    return guard(() => this.c.q.endAllSessions.run(endingParams(ending)).changes);
  }

  async listUserSessions(userId: string, now: number): Promise<SessionRecord[]> {
    const rows = guard(() => this.c.q.activeOfUser.all(userId, now) as SessionRow[]);
    return rows.map(sessionFromRow);
  }

  async sweep(now: number, opts: { limit: number; tombstoneTtlMs: number }): Promise<SweepResult> {
    return this.c.transaction((): SweepResult => {
      const due = (this.c.q.dueForTimeout.all({ now, limit: opts.limit }) as SessionRow[]).map(sessionFromRow);
      const timedOut = due.flatMap((s) => this.end(s.id, timeoutEnding(s, opts.tombstoneTtlMs)) ?? []);
      const purged = this.c.q.purgeDue.run(now, opts.limit).changes;
      // Expired throttling counters are dead weight too; they go in the same bounded way.
      this.c.q.purgeCounters.run(now, opts.limit);
      return { timedOut, purged };
    });
  }
}
