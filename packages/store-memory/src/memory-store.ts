import { EventEmitter } from 'node:events';
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
  type TrustedDevicePatch,
  type TrustedDeviceRecord,
  type UserRecord,
} from '@sessiond/core';

const clone = <T>(v: T): T => structuredClone(v);
const deadline = (s: SessionRecord) => Math.min(s.idleExpiresAt, s.absoluteExpiresAt);

/** Applies a patch; a key holding undefined counts as absent, as it does in every other store. */
function assignDefined<T extends object>(target: T, patch: Partial<T>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) (target as Record<string, unknown>)[key] = clone(value);
  }
}

/**
 * The reference store: every method is trivially atomic because JavaScript runs one thing at a
 * time and nothing here awaits. Records are copied in and out so callers cannot alias state.
 */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  private readonly users = new Map<string, UserRecord>();
  private readonly usersByEmail = new Map<string, string>();
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly byUser = new Map<string, Set<string>>();
  private readonly devices = new Map<string, TrustedDeviceRecord>();
  private readonly events: AuditEvent[] = [];
  private nextEventId = 1;
  private readonly counters = new Map<string, { value: number; expiresAt: number }>();
  private readonly keys = new Map<string, SigningKeyRecord>();
  private readonly appKeys = new Map<string, AppKeyRecord>();
  private readonly settings = new Map<string, string>();
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async init(): Promise<void> {}
  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
  async ping(): Promise<void> {}

  async createUser(user: UserRecord): Promise<void> {
    if (this.usersByEmail.has(user.email)) throw new SessiondError('email_taken');
    this.users.set(user.id, clone(user));
    this.usersByEmail.set(user.email, user.id);
  }
  async findUserById(id: string): Promise<UserRecord | null> {
    const u = this.users.get(id);
    return u ? clone(u) : null;
  }
  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const id = this.usersByEmail.get(email);
    return id ? this.findUserById(id) : null;
  }
  async updateUser(id: string, patch: Partial<Omit<UserRecord, 'id' | 'email' | 'createdAt'>>): Promise<void> {
    const u = this.users.get(id);
    if (u) assignDefined(u, patch);
  }

  async useSecondFactor(id: string, use: SecondFactorUse): Promise<boolean> {
    const u = this.users.get(id);
    if (!u) return false;
    if ('totpStep' in use) {
      if (u.totpLastStep !== null && u.totpLastStep >= use.totpStep) return false;
      u.totpLastStep = use.totpStep;
      return true;
    }
    const i = u.recoveryCodeHashes.indexOf(use.recoveryCodeHash);
    if (i < 0) return false;
    u.recoveryCodeHashes = u.recoveryCodeHashes.filter((_, j) => j !== i);
    return true;
  }

  private active(userId: string, now: number, app?: string): SessionRecord[] {
    const ids = this.byUser.get(userId) ?? new Set<string>();
    return [...ids]
      .map((id) => this.sessions.get(id))
      .filter((s): s is SessionRecord => !!s && s.endedAt === null && deadline(s) > now && (app === undefined || s.app === app));
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
    const oldestFirst = (app?: string) => this.active(session.userId, limit!.now, app).sort((a, b) => a.createdAt - b.createdAt);
    if (limit && limit.max > 0) {
      const active = oldestFirst(session.app);
      const excess = active.length + 1 - limit.max;
      if (excess > 0) {
        if (limit.onMax === 'reject') return { ok: false, active: active.map(clone) };
        for (const s of active.slice(0, excess)) evicted.push(this.endInPlace(s, limit.ending));
      }
    }
    if (limit?.ceiling) {
      const active = oldestFirst();
      for (const s of active.slice(0, Math.max(0, active.length + 1 - limit.ceiling.max))) evicted.push(this.endInPlace(s, limit.ceiling.ending));
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

  async endUserSessions(userId: string, ending: SessionEnding, opts: { exceptId?: string; app?: string; trustedDeviceId?: string } = {}): Promise<SessionRecord[]> {
    const out: SessionRecord[] = [];
    for (const id of this.byUser.get(userId) ?? []) {
      const s = this.sessions.get(id);
      if (!s || s.endedAt !== null || id === opts.exceptId) continue;
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
    return this.active(userId, now).map(clone);
  }

  // A linear scan: the memory store is for tests and demos, not for millions of sessions.
  async sweep(now: number, opts: { limit: number; tombstoneTtlMs: number }): Promise<SweepResult> {
    const timedOut: SessionRecord[] = [];
    let purged = 0;
    for (const s of this.sessions.values()) {
      if (timedOut.length >= opts.limit) break;
      if (s.endedAt === null && deadline(s) <= now) {
        const at = deadline(s);
        const reason = s.absoluteExpiresAt <= s.idleExpiresAt ? 'absolute_timeout' : 'idle_timeout';
        timedOut.push(this.endInPlace(s, { at, reason, purgeAt: at + opts.tombstoneTtlMs }));
      }
    }
    for (const [id, s] of this.sessions) {
      if (purged >= opts.limit) break;
      if (s.endedAt !== null && s.purgeAt <= now) {
        this.sessions.delete(id);
        this.byUser.get(s.userId)?.delete(id);
        purged++;
      }
    }
    return { timedOut, purged };
  }

  async createTrustedDevice(device: TrustedDeviceRecord): Promise<void> {
    this.devices.set(device.id, clone(device));
  }
  async findTrustedDevice(id: string): Promise<TrustedDeviceRecord | null> {
    const d = this.devices.get(id);
    return d ? clone(d) : null;
  }
  async updateTrustedDevice(id: string, patch: TrustedDevicePatch): Promise<void> {
    const d = this.devices.get(id);
    if (d) assignDefined(d, patch);
  }
  async listTrustedDevices(userId: string, now: number): Promise<TrustedDeviceRecord[]> {
    return [...this.devices.values()].filter((d) => d.userId === userId && d.expiresAt > now).map(clone);
  }
  async deleteTrustedDevice(userId: string, id: string): Promise<boolean> {
    const d = this.devices.get(id);
    if (!d || d.userId !== userId) return false;
    this.devices.delete(id);
    return true;
  }

  async recordEvent(event: NewAuditEvent): Promise<AuditEvent> {
    const e: AuditEvent = { ...clone(event), id: String(this.nextEventId++) };
    this.events.push(e);
    // Deliver after the caller's current step, as a networked store would.
    queueMicrotask(() => this.emitter.emit('event', clone(e)));
    return clone(e);
  }

  async listEvents(q: EventQuery): Promise<AuditEvent[]> {
    const match = (e: AuditEvent) => (q.userId === undefined || e.userId === q.userId) && (q.sessionId === undefined || e.sessionId === q.sessionId);
    if (q.afterId !== undefined) {
      const after = Number(q.afterId);
      return this.events.filter((e) => Number(e.id) > after && match(e)).slice(0, q.limit).map(clone);
    }
    const out: AuditEvent[] = [];
    for (let i = this.events.length - 1; i >= 0 && out.length < q.limit; i--) if (match(this.events[i]!)) out.push(clone(this.events[i]!));
    return out;
  }

  subscribe(listener: (event: AuditEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  async incrementCounter(key: string, ttlMs: number, now: number): Promise<number> {
    const c = this.counters.get(key);
    if (!c || c.expiresAt <= now) {
      this.counters.set(key, { value: 1, expiresAt: now + ttlMs });
      return 1;
    }
    return ++c.value;
  }
  async decrementCounter(key: string, now: number): Promise<void> {
    const c = this.counters.get(key);
    if (c && c.expiresAt > now && c.value > 0) c.value--;
  }
  async peekCounter(key: string, now: number): Promise<number> {
    const c = this.counters.get(key);
    return c && c.expiresAt > now ? c.value : 0;
  }
  async resetCounter(key: string): Promise<void> {
    this.counters.delete(key);
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    return [...this.keys.values()].map(clone);
  }
  async saveSigningKey(key: SigningKeyRecord): Promise<void> {
    this.keys.set(key.kid, clone(key));
  }

  async claimSetting(name: string, value: string): Promise<string> {
    if (!this.settings.has(name)) this.settings.set(name, value);
    return this.settings.get(name)!;
  }

  async createAppKey(key: AppKeyRecord): Promise<void> {
    this.appKeys.set(key.id, clone(key));
  }
  async listAppKeys(app: string): Promise<AppKeyRecord[]> {
    return [...this.appKeys.values()].filter((k) => k.app === app).map(clone);
  }
  async findAppKeyByHash(secretHash: string): Promise<AppKeyRecord | null> {
    for (const k of this.appKeys.values()) if (k.secretHash === secretHash) return clone(k);
    return null;
  }
  async deleteAppKey(app: string, id: string): Promise<boolean> {
    return this.appKeys.get(id)?.app === app && this.appKeys.delete(id);
  }
  async touchAppKey(id: string, lastUsedAt: number): Promise<void> {
    const k = this.appKeys.get(id);
    if (k) k.lastUsedAt = lastUsedAt;
  }
}

export function createMemoryStore(): MemoryStore {
  return new MemoryStore();
}
