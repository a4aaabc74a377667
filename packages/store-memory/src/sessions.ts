import {
  admitSession,
  expiresAt,
  isActive,
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
import { assignDefined, clone } from './state.ts';

export class MemorySessions implements SessionStore {
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly byUser = new Map<string, Set<string>>();
  /** Each session's own data (session-data.ts), forgotten when the session is purged. */
  readonly data = new Map<string, { data: string; version: number }>();

  /** Whether the session exists and has not ended. */
  isLive(id: string): boolean {
    return this.sessions.get(id)?.endedAt === null;
  }

  private ofUser(userId: string): SessionRecord[] {
    return [...(this.byUser.get(userId) ?? [])].map((id) => this.sessions.get(id)).filter((s): s is SessionRecord => !!s);
  }

  private endInPlace(s: SessionRecord, ending: SessionEnding): SessionRecord {
    s.endedAt = ending.at;
    s.endReason = ending.reason;
    s.endDetail = ending.detail ?? null;
    s.purgeAt = ending.purgeAt;
    return clone(s);
  }

  async createSession(session: SessionRecord, limit?: SessionLimit): Promise<CreateSessionResult> {
    const evicted: SessionRecord[] = [];
    if (limitApplies(limit)) {
      // The stored records themselves: admitSession names them, and they end in place.
      const admission = admitSession(session, this.ofUser(session.userId), limit);
      if (!admission.ok) return { ...admission, active: admission.active.map(clone) };
      for (const { session: s, ending } of admission.evict) evicted.push(this.endInPlace(s, ending));
    }
    this.sessions.set(session.id, clone(session));
    let set = this.byUser.get(session.userId);
    if (!set) this.byUser.set(session.userId, (set = new Set()));
    set.add(session.id);
    return { ok: true, evicted };
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const s = this.sessions.get(id);
    return s ? clone(s) : null;
  }

  async updateSession(id: string, patch: SessionPatch): Promise<boolean> {
    const s = this.sessions.get(id);
    if (!s || s.endedAt !== null) return false;
    assignDefined(s, patch);
    return true;
  }

  async rotateRefresh(id: string, expectedHash: string, patch: SessionPatch): Promise<boolean> {
    const s = this.sessions.get(id);
    if (!s || s.endedAt !== null || s.refresh?.hash !== expectedHash) return false;
    assignDefined(s, patch);
    return true;
  }

  async endSession(id: string, ending: SessionEnding): Promise<SessionRecord | null> {
    const s = this.sessions.get(id);
    if (!s || s.endedAt !== null) return null;
    return this.endInPlace(s, ending);
  }

  async endUserSessions(userId: string, ending: SessionEnding, opts: EndUserSessionsFilter = {}): Promise<SessionRecord[]> {
    const out: SessionRecord[] = [];
    for (const s of this.ofUser(userId)) {
      if (s.endedAt !== null || s.id === opts.exceptId) continue;
      if (opts.app !== undefined && s.app !== opts.app) continue;
      if (opts.trustedDeviceId !== undefined && s.trustedDeviceId !== opts.trustedDeviceId) continue;
      out.push(this.endInPlace(s, ending));
    }
    return out;
  }

  async endAllSessions(ending: SessionEnding): Promise<number> {
    let n = 0;
    for (const s of this.sessions.values()) {
      if (s.endedAt === null) {
        this.endInPlace(s, ending);
        n++;
      }
    }
    return n;
  }

  async listUserSessions(userId: string, now: number): Promise<SessionRecord[]> {
    return this.ofUser(userId)
      .filter((s) => isActive(s, now))
      .map(clone);
  }

  // A linear scan: the memory store is for tests and demos, not for millions of sessions.
  async sweep(now: number, opts: { limit: number; tombstoneTtlMs: number }): Promise<SweepResult> {
    const timedOut: SessionRecord[] = [];
    let purged = 0;
    for (const s of this.sessions.values()) {
      if (timedOut.length >= opts.limit) break;
      if (s.endedAt === null && expiresAt(s) <= now) timedOut.push(this.endInPlace(s, timeoutEnding(s, opts.tombstoneTtlMs)));
    }
    for (const [id, s] of this.sessions) {
      if (purged >= opts.limit) break;
      if (s.endedAt !== null && s.purgeAt <= now) {
        this.sessions.delete(id);
        this.data.delete(id);
        this.byUser.get(s.userId)?.delete(id);
        purged++;
      }
    }
    return { timedOut, purged };
  }
}
