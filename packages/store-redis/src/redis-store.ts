import { Redis, type RedisOptions } from 'ioredis';
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
import { CREATE_SESSION, END_SESSION, END_USER_SESSIONS, INCREMENT, RECORD_EVENT, TIME_OUT, UPDATE_SESSION } from './scripts.ts';

const EVENTS_MAX = 1_000_000;

interface Scripts {
  createSession(session: string, userIndex: string, deadlines: string, json: string, limit: string, sessionPrefix: string): Promise<string>;
  updateSession(session: string, deadlines: string, patch: string, expected: string, userPrefix: string): Promise<number>;
  endSession(session: string, deadlines: string, ending: string, userPrefix: string): Promise<string | null>;
  endUserSessions(userIndex: string, deadlines: string, ending: string, filter: string, sessionPrefix: string): Promise<string>;
  timeOut(session: string, deadlines: string, now: string, ttl: string, userPrefix: string): Promise<string | null>;
  recordEvent(stream: string, channel: string, json: string, max: string): Promise<string>;
  incrementCounter(key: string, ttl: string): Promise<number>;
}

/** Session bodies come back through cjson; they hold no arrays, which cjson would turn into {}. */
function sessionFrom(json: string): SessionRecord {
  return JSON.parse(json) as SessionRecord;
}

/**
 * Redis store. Session bodies are JSON strings whose key expires at the record's purgeAt, so an
 * ended session stays as its own tombstone and then vanishes without a sweep. Multi-key steps run
 * as Lua scripts, atomic on one Redis (or a Sentinel-managed primary). For Redis Cluster, give the
 * prefix a hash tag (`?prefix={sessiond}`) so every key shares a slot: correct, though unsharded.
 * Durability across a Redis restart needs AOF (`appendonly yes`).
 */
export class RedisStore implements Store {
  readonly kind = 'redis';
  private readonly redis: Redis & Scripts;
  private sub: Redis | null = null;
  private readonly listeners = new Set<(e: AuditEvent) => void>();
  private readonly k: { session: string; user: string; deadlines: string; userRec: string; email: string; device: string; userDevices: string; events: string; channel: string; counter: string; keys: string };

  constructor(url: string, opts: { prefix?: string; redisOptions?: RedisOptions } = {}) {
    const prefix = opts.prefix ?? 'sessiond';
    this.k = {
      session: `${prefix}:s:`,
      user: `${prefix}:u:`,
      deadlines: `${prefix}:deadlines`,
      userRec: `${prefix}:user:`,
      email: `${prefix}:email:`,
      device: `${prefix}:dev:`,
      userDevices: `${prefix}:udev:`,
      events: `${prefix}:events`,
      channel: `${prefix}:events:pub`,
      counter: `${prefix}:c:`,
      keys: `${prefix}:keys`,
    };
    // Fail fast while Redis is away (503 store_unavailable), reconnect by itself in the background.
    this.redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: 2000,
      retryStrategy: (times) => Math.min(times * 100, 1000),
      ...opts.redisOptions,
    }) as Redis & Scripts;
    this.redis.on('error', () => {});
    this.redis.defineCommand('createSession', { numberOfKeys: 3, lua: CREATE_SESSION });
    this.redis.defineCommand('updateSession', { numberOfKeys: 2, lua: UPDATE_SESSION });
    this.redis.defineCommand('endSession', { numberOfKeys: 2, lua: END_SESSION });
    this.redis.defineCommand('endUserSessions', { numberOfKeys: 2, lua: END_USER_SESSIONS });
    this.redis.defineCommand('timeOut', { numberOfKeys: 2, lua: TIME_OUT });
    this.redis.defineCommand('recordEvent', { numberOfKeys: 2, lua: RECORD_EVENT });
    this.redis.defineCommand('incrementCounter', { numberOfKeys: 1, lua: INCREMENT });
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof SessiondError) throw e;
      throw new StoreUnavailableError(e);
    }
  }

  async init(): Promise<void> {
    await this.call(() => this.redis.connect());
    const sub = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined, lazyConnect: false });
    sub.on('error', () => {});
    sub.on('message', (_channel: string, message: string) => {
      const i = message.indexOf(' ');
      const event = { ...(JSON.parse(message.slice(i + 1)) as NewAuditEvent), id: message.slice(0, i) } as AuditEvent;
      for (const l of this.listeners) l(event);
    });
    // ioredis re-subscribes by itself after a reconnect.
    await sub.subscribe(this.k.channel);
    this.sub = sub;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.sub?.disconnect();
    this.redis.disconnect();
  }

  async ping(): Promise<void> {
    await this.call(() => this.redis.ping());
  }

  async createUser(user: UserRecord): Promise<void> {
    const ok = await this.call(() => this.redis.set(this.k.email + user.email, user.id, 'NX'));
    if (ok !== 'OK') throw new SessiondError('email_taken');
    await this.call(() => this.redis.set(this.k.userRec + user.id, JSON.stringify(user)));
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    const raw = await this.call(() => this.redis.get(this.k.userRec + id));
    return raw ? (JSON.parse(raw) as UserRecord) : null;
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const id = await this.call(() => this.redis.get(this.k.email + email));
    return id ? this.findUserById(id) : null;
  }

  async updateUser(id: string, patch: Partial<Omit<UserRecord, 'id' | 'email' | 'createdAt'>>): Promise<void> {
    const user = await this.findUserById(id);
    if (user) await this.call(() => this.redis.set(this.k.userRec + id, JSON.stringify({ ...user, ...patch })));
  }

  async createSession(session: SessionRecord, limit?: SessionLimit): Promise<CreateSessionResult> {
    const raw = await this.call(() =>
      this.redis.createSession(this.k.session + session.id, this.k.user + session.userId, this.k.deadlines, JSON.stringify(session), limit ? JSON.stringify(limit) : '', this.k.session),
    );
    const r = JSON.parse(raw) as { ok: boolean; evicted?: SessionRecord[] | Record<string, never>; active?: SessionRecord[] | Record<string, never> };
    return r.ok ? { ok: true, evicted: Array.isArray(r.evicted) ? r.evicted : [] } : { ok: false, active: Array.isArray(r.active) ? r.active : [] };
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const raw = await this.call(() => this.redis.get(this.k.session + id));
    return raw ? sessionFrom(raw) : null;
  }

  async updateSession(id: string, patch: SessionPatch): Promise<boolean> {
    return (await this.call(() => this.redis.updateSession(this.k.session + id, this.k.deadlines, JSON.stringify(patch), '', this.k.user))) === 1;
  }

  async rotateRefresh(id: string, expectedHash: string, patch: SessionPatch): Promise<boolean> {
    return (await this.call(() => this.redis.updateSession(this.k.session + id, this.k.deadlines, JSON.stringify(patch), expectedHash, this.k.user))) === 1;
  }

  async endSession(id: string, ending: SessionEnding): Promise<SessionRecord | null> {
    const raw = await this.call(() => this.redis.endSession(this.k.session + id, this.k.deadlines, JSON.stringify({ ...ending, detail: ending.detail ?? null }), this.k.user));
    return raw ? sessionFrom(raw) : null;
  }

  async endUserSessions(userId: string, ending: SessionEnding, opts: { exceptId?: string; app?: string; trustedDeviceId?: string } = {}): Promise<SessionRecord[]> {
    const raw = await this.call(() =>
      this.redis.endUserSessions(this.k.user + userId, this.k.deadlines, JSON.stringify({ ...ending, detail: ending.detail ?? null }), JSON.stringify(opts), this.k.session),
    );
    const out = JSON.parse(raw) as SessionRecord[] | Record<string, never>;
    return Array.isArray(out) ? out : [];
  }

  async endAllSessions(ending: SessionEnding): Promise<number> {
    let n = 0;
    const payload = JSON.stringify({ ...ending, detail: ending.detail ?? null });
    // The deadline index holds exactly the sessions that have not ended; each is ended atomically.
    for (;;) {
      const ids = await this.call(() => this.redis.zrange(this.k.deadlines, 0, 499));
      if (ids.length === 0) return n;
      const results = await Promise.all(
        ids.map(async (id) => {
          const r = await this.call(() => this.redis.endSession(this.k.session + id, this.k.deadlines, payload, this.k.user));
          if (!r) await this.call(() => this.redis.zrem(this.k.deadlines, id));
          return r;
        }),
      );
      n += results.filter(Boolean).length;
    }
  }

  async listUserSessions(userId: string, now: number): Promise<SessionRecord[]> {
    const key = this.k.user + userId;
    const ids = await this.call(() => this.redis.zrangebyscore(key, `(${now}`, '+inf'));
    if (ids.length === 0) return [];
    const raws = await this.call(() => this.redis.mget(ids.map((id) => this.k.session + id)));
    const out: SessionRecord[] = [];
    raws.forEach((raw, i) => {
      if (!raw) {
        void this.redis.zrem(key, ids[i]!).catch(() => {});
        return;
      }
      const s = sessionFrom(raw);
      if (s.endedAt === null && Math.min(s.idleExpiresAt, s.absoluteExpiresAt) > now) out.push(s);
    });
    return out;
  }

  async sweep(now: number, opts: { limit: number; tombstoneTtlMs: number }): Promise<SweepResult> {
    const ids = await this.call(() => this.redis.zrangebyscore(this.k.deadlines, '-inf', now, 'LIMIT', 0, opts.limit));
    const timedOut: SessionRecord[] = [];
    for (const id of ids) {
      const raw = await this.call(() => this.redis.timeOut(this.k.session + id, this.k.deadlines, String(now), String(opts.tombstoneTtlMs), this.k.user));
      if (raw) timedOut.push(sessionFrom(raw));
      else await this.call(() => this.redis.zrem(this.k.deadlines, id)); // its key already expired
    }
    // Ended records expire by themselves at purgeAt: nothing to delete here.
    return { timedOut, purged: 0 };
  }

  async createTrustedDevice(d: TrustedDeviceRecord): Promise<void> {
    await this.call(() =>
      this.redis.multi().set(this.k.device + d.id, JSON.stringify(d), 'PXAT', d.expiresAt).sadd(this.k.userDevices + d.userId, d.id).exec(),
    );
  }

  async findTrustedDevice(id: string): Promise<TrustedDeviceRecord | null> {
    const raw = await this.call(() => this.redis.get(this.k.device + id));
    return raw ? (JSON.parse(raw) as TrustedDeviceRecord) : null;
  }

  async updateTrustedDevice(id: string, patch: Partial<Pick<TrustedDeviceRecord, 'lastUsedAt' | 'expiresAt' | 'label'>>): Promise<void> {
    const d = await this.findTrustedDevice(id);
    if (!d) return;
    const next = { ...d, ...patch };
    await this.call(() => this.redis.set(this.k.device + id, JSON.stringify(next), 'PXAT', next.expiresAt));
  }

  async listTrustedDevices(userId: string, now: number): Promise<TrustedDeviceRecord[]> {
    const ids = await this.call(() => this.redis.smembers(this.k.userDevices + userId));
    if (ids.length === 0) return [];
    const raws = await this.call(() => this.redis.mget(ids.map((id) => this.k.device + id)));
    const out: TrustedDeviceRecord[] = [];
    raws.forEach((raw, i) => {
      if (!raw) void this.redis.srem(this.k.userDevices + userId, ids[i]!).catch(() => {});
      else {
        const d = JSON.parse(raw) as TrustedDeviceRecord;
        if (d.expiresAt > now) out.push(d);
      }
    });
    return out.sort((a, b) => b.lastUsedAt - a.lastUsedAt);
  }

  async deleteTrustedDevice(userId: string, id: string): Promise<boolean> {
    const d = await this.findTrustedDevice(id);
    if (!d || d.userId !== userId) return false;
    await this.call(() => this.redis.multi().del(this.k.device + id).srem(this.k.userDevices + userId, id).exec());
    return true;
  }

  async recordEvent(event: NewAuditEvent): Promise<AuditEvent> {
    const id = await this.call(() => this.redis.recordEvent(this.k.events, this.k.channel, JSON.stringify(event), String(EVENTS_MAX)));
    return { ...event, id };
  }

  async listEvents(q: EventQuery): Promise<AuditEvent[]> {
    const match = (e: AuditEvent) => (q.userId === undefined || e.userId === q.userId) && (q.sessionId === undefined || e.sessionId === q.sessionId);
    const out: AuditEvent[] = [];
    const forward = q.afterId !== undefined;
    let cursor = forward ? `(${q.afterId}` : '+';
    // Filters are applied while paging; the audit stream is capped, so this stays bounded.
    for (let pages = 0; pages < 100 && out.length < q.limit; pages++) {
      const batch = await this.call(() =>
        forward ? this.redis.xrange(this.k.events, cursor, '+', 'COUNT', 500) : this.redis.xrevrange(this.k.events, cursor, '-', 'COUNT', 500),
      );
      if (batch.length === 0) break;
      for (const [id, fields] of batch) {
        const e = { ...(JSON.parse(fields[1]!) as NewAuditEvent), id } as AuditEvent;
        if (match(e)) out.push(e);
        if (out.length >= q.limit) break;
      }
      cursor = `(${batch[batch.length - 1]![0]}`;
    }
    return out;
  }

  subscribe(listener: (event: AuditEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async incrementCounter(key: string, ttlMs: number): Promise<number> {
    return this.call(() => this.redis.incrementCounter(this.k.counter + key, String(ttlMs)));
  }

  async peekCounter(key: string): Promise<number> {
    return Number((await this.call(() => this.redis.get(this.k.counter + key))) ?? 0);
  }

  async resetCounter(key: string): Promise<void> {
    await this.call(() => this.redis.del(this.k.counter + key));
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    const values = await this.call(() => this.redis.hvals(this.k.keys));
    return values.map((v) => JSON.parse(v) as SigningKeyRecord);
  }

  async saveSigningKey(key: SigningKeyRecord): Promise<void> {
    await this.call(() => this.redis.hset(this.k.keys, key.kid, JSON.stringify(key)));
  }
}

/** `redis://host:port/db?prefix=name`: the prefix namespaces every key (tests use a random one). */
export function createRedisStore(url: string, opts: { prefix?: string } = {}): RedisStore {
  const u = new URL(url);
  const prefix = opts.prefix ?? u.searchParams.get('prefix') ?? undefined;
  u.searchParams.delete('prefix');
  return new RedisStore(u.toString(), { prefix });
}
