import { ReplyError, type Cluster, type Redis } from 'ioredis';
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
import { parseRedisUrl, type RedisTarget } from './client.ts';
import { migrateLegacyLayout } from './migrate.ts';
import { CREATE_SESSION, DECREMENT, END_SESSION, END_USER_SESSIONS, INCREMENT, RECORD_EVENT, SAVE_DEVICE, TIME_OUT_USER, TOUCH_APP_KEY, UPDATE_SESSION, UPDATE_USER, USE_SECOND_FACTOR } from './scripts.ts';

const EVENTS_MAX = 1_000_000;
const CATCH_UP_MS = 500;
const LAYOUT = '2';
// Session id → user id never changes, so remembered answers cannot go stale; bounded for memory
// (about 100 bytes an entry). A session this node has not seen lately costs one more round trip.
const OWNER_CACHE_MAX = 100_000;

interface Scripts {
  createSession(session: string, userIndex: string, json: string, limit: string, sessionPrefix: string): Promise<string>;
  updateSession(session: string, userIndex: string, patch: string, expected: string): Promise<number>;
  endSession(session: string, userIndex: string, ending: string): Promise<string | null>;
  endUserSessions(userIndex: string, ending: string, filter: string, sessionPrefix: string): Promise<string>;
  timeOutUser(userIndex: string, now: string, ttl: string, sessionPrefix: string, limit: string): Promise<string>;
  recordEvent(stream: string, channel: string, json: string, max: string): Promise<string>;
  incrementCounter(key: string, ttl: string): Promise<number>;
  decrementCounter(key: string): Promise<number>;
  saveDevice(device: string, userDevices: string, json: string, mode: '' | 'patch'): Promise<number>;
  updateUser(user: string, ...fieldsAndValues: string[]): Promise<number>;
  useSecondFactor(user: string, kind: 'totp' | 'recovery', value: string): Promise<number>;
  touchAppKey(appKeys: string, id: string, at: string): Promise<number>;
}

type Client = (Redis | Cluster) & Scripts;

/** Session bodies come back through cjson; they hold no arrays, which cjson would turn into {}. */
function sessionFrom(json: string): SessionRecord {
  return JSON.parse(json) as SessionRecord;
}

/**
 * Whether an error means Redis cannot serve now (503, retry later) rather than a bug. Redis's own
 * replies are bugs (a failing script, a wrong type) except those that say it is not ready:
 * a Cluster without full coverage, a slot moving, a failover, loading data, memory full.
 * Everything else (refused, reset, timed out, no node reachable) is the connection.
 */
function unavailable(e: unknown): boolean {
  if (e instanceof SessiondError) return false;
  if (!(e instanceof ReplyError)) return true;
  return /^(CLUSTERDOWN|TRYAGAIN|MOVED|ASK|MASTERDOWN|LOADING|READONLY|BUSY|NOREPLICAS|OOM)\b/.test((e as Error).message);
}

/** Each defined property as a JSON string, for a Redis hash. */
function fields(o: object): Record<string, string> {
  return Object.fromEntries(Object.entries(o).flatMap(([k, v]) => (v === undefined ? [] : [[k, JSON.stringify(v)]])));
}

function deadline(s: Pick<SessionRecord, 'idleExpiresAt' | 'absoluteExpiresAt'>): number {
  return Math.min(s.idleExpiresAt, s.absoluteExpiresAt);
}

/**
 * Redis store for one Redis, a Sentinel-managed primary or Redis Cluster.
 *
 * Everything of one user (record, sessions, their index, trusted devices) sits under the hash tag
 * `{u:<userId>}`, so each multi-key step is one Lua script on the one shard holding that user. A
 * session or device id finds its user through a small pointer key (`<prefix>:sid:<id>`) that
 * expires with the record. Session bodies are JSON strings whose key expires at purgeAt:
 * an ended session stays as its own tombstone and then vanishes without a sweep.
 *
 * The only global keys: `due` (users by their earliest deadline, so sweeping follows what expires),
 * the audit stream, counters and signing keys. Durability across a restart needs AOF.
 */
export class RedisStore implements Store {
  readonly kind = 'redis';
  private readonly redis: Client;
  private sub: Redis | Cluster | null = null;
  private readonly listeners = new Set<(e: AuditEvent) => void>();
  private readonly owners = new Map<string, string>();
  private lastEventId = '0-0';
  private catchUp: NodeJS.Timeout | undefined;
  private reading = false;
  private readAgain = false;
  private closed = false;
  private readonly p: string;

  constructor(target: RedisTarget) {
    this.p = target.prefix;
    this.redis = target.connect() as Client;
    this.redis.on('error', () => {});
    this.redis.defineCommand('createSession', { numberOfKeys: 2, lua: CREATE_SESSION });
    this.redis.defineCommand('updateSession', { numberOfKeys: 2, lua: UPDATE_SESSION });
    this.redis.defineCommand('endSession', { numberOfKeys: 2, lua: END_SESSION });
    this.redis.defineCommand('endUserSessions', { numberOfKeys: 1, lua: END_USER_SESSIONS });
    this.redis.defineCommand('timeOutUser', { numberOfKeys: 1, lua: TIME_OUT_USER });
    this.redis.defineCommand('recordEvent', { numberOfKeys: 1, lua: RECORD_EVENT });
    this.redis.defineCommand('incrementCounter', { numberOfKeys: 1, lua: INCREMENT });
    this.redis.defineCommand('decrementCounter', { numberOfKeys: 1, lua: DECREMENT });
    this.redis.defineCommand('saveDevice', { numberOfKeys: 2, lua: SAVE_DEVICE });
    this.redis.defineCommand('updateUser', { numberOfKeys: 1, lua: UPDATE_USER });
    this.redis.defineCommand('useSecondFactor', { numberOfKeys: 1, lua: USE_SECOND_FACTOR });
    this.redis.defineCommand('touchAppKey', { numberOfKeys: 1, lua: TOUCH_APP_KEY });
  }

  // Keys. The user's tag comes first in braces, so Cluster hashes only it.
  private tag(userId: string): string {
    return `${this.p}:{u:${userId}}`;
  }
  private userKey(userId: string): string {
    return `${this.tag(userId)}:user`;
  }
  private sessionPrefix(userId: string): string {
    return `${this.tag(userId)}:s:`;
  }
  private userIndex(userId: string): string {
    return `${this.tag(userId)}:sessions`;
  }
  private sessionOwner(id: string): string {
    return `${this.p}:sid:${id}`;
  }
  private deviceKey(userId: string, id: string): string {
    return `${this.tag(userId)}:d:${id}`;
  }
  private userDevices(userId: string): string {
    return `${this.tag(userId)}:devices`;
  }
  private deviceOwner(id: string): string {
    return `${this.p}:did:${id}`;
  }
  /** One hash holds every app key: `id:<id>` the record, `h:<secret hash>` its id, `u:<id>` lastUsedAt. */
  private get appKeys(): string {
    return `${this.p}:appkeys`;
  }
  private get due(): string {
    return `${this.p}:due`;
  }
  private get events(): string {
    return `${this.p}:events`;
  }
  private get channel(): string {
    return `${this.p}:events:pub`;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw unavailable(e) ? new StoreUnavailableError(e) : e;
    }
  }

  async init(): Promise<void> {
    await this.call(() => this.redis.connect());
    // Data of the release before per-user hash tags moves over once; the marker spares every later
    // start a scan of the keyspace.
    const layout = `${this.p}:layout`;
    if ((await this.call(() => this.redis.get(layout))) !== LAYOUT) {
      await this.call(() => migrateLegacyLayout(this.redis, this.p, this));
      await this.call(() => this.redis.set(layout, LAYOUT));
    }
    // The subscriber waits out outages (queueing, no timeouts) and re-subscribes after reconnecting.
    const patient = { enableOfflineQueue: true, lazyConnect: false };
    const waitForever = { commandTimeout: undefined, maxRetriesPerRequest: null };
    const sub = this.redis.isCluster
      ? (this.redis as Cluster).duplicate(undefined, { ...patient, redisOptions: { ...(this.redis as Cluster).options.redisOptions, ...waitForever } })
      : (this.redis as Redis).duplicate({ ...patient, ...waitForever });
    sub.on('error', () => {});
    // A message says that the stream has something new; the stream says what, in order.
    sub.on('message', () => void this.readStream());
    this.lastEventId = (await this.listEvents({ limit: 1 }))[0]?.id ?? '0-0';
    await sub.subscribe(this.channel);
    this.sub = sub;
    this.catchUp = setInterval(() => void this.readStream(), CATCH_UP_MS);
    this.catchUp.unref();
  }

  /**
   * Delivers what the audit stream holds past the last event delivered, in order. Pub/sub only
   * wakes this up: it keeps nothing for a subscriber that is reconnecting, so a message that
   * arrives after a gap must not be delivered ahead of the events published during the gap. Each
   * message's event is in the stream before the message is sent (XADD and PUBLISH run in one
   * script); a read every half second covers a gap that no later message follows. Reads do not
   * overlap: wake-ups during one become one more read after it.
   */
  private async readStream(): Promise<void> {
    this.readAgain = true;
    if (this.reading) return;
    this.reading = true;
    while (this.readAgain && !this.closed) {
      this.readAgain = false;
      try {
        const batch = await this.listEvents({ afterId: this.lastEventId, limit: 1000 });
        for (const event of batch) {
          this.lastEventId = event.id;
          for (const l of this.listeners) l(event);
        }
        if (batch.length === 1000) this.readAgain = true;
      } catch {
        // Redis is away: the next wake-up or tick reads from the same place.
      }
    }
    this.reading = false;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.catchUp);
    this.listeners.clear();
    this.sub?.disconnect();
    this.redis.disconnect();
  }

  async ping(): Promise<void> {
    await this.call(async () => {
      if (this.redis.isCluster) await this.pingEveryShard(this.redis as Cluster);
      else await this.redis.ping();
    });
  }

  /**
   * On a Cluster, ready means every slot has a primary that answers: one shard that is down
   * fails the people it holds, so it makes the store unavailable rather than half-ready.
   */
  private async pingEveryShard(cluster: Cluster): Promise<void> {
    const primaries = new Set<string>();
    for (let slot = 0; slot < 16_384; slot++) {
      const owner = cluster.slots[slot]?.[0];
      if (owner === undefined) throw new Error(`slot ${slot} has no primary`);
      primaries.add(owner);
    }
    const connected = new Map(cluster.nodes('master').map((n) => [`${n.options.host}:${n.options.port}`, n]));
    await Promise.all(
      [...primaries].map((key) => {
        const node = connected.get(key);
        if (!node) throw new Error(`no connection to the primary ${key}`);
        return node.ping();
      }),
    );
  }

  async createUser(user: UserRecord): Promise<void> {
    const ok = await this.call(() => this.redis.set(`${this.p}:email:${user.email}`, user.id, 'NX'));
    if (ok !== 'OK') throw new SessiondError('email_taken');
    await this.putUser(user);
  }

  /**
   * The account as a hash of JSON values, one field per property: an update sets only the fields
   * it changes, so two nodes changing different things (a TOTP step, an admin's disable) both land.
   */
  async putUser(user: UserRecord): Promise<void> {
    await this.call(() => this.redis.hset(this.userKey(user.id), fields(user)));
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    const h = await this.call(() => this.redis.hgetall(this.userKey(id)));
    if (!h.id) return null;
    return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, JSON.parse(v)])) as UserRecord;
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const id = await this.call(() => this.redis.get(`${this.p}:email:${email}`));
    return id ? this.findUserById(id) : null;
  }

  async updateUser(id: string, patch: Partial<Omit<UserRecord, 'id' | 'email' | 'createdAt'>>): Promise<void> {
    const set = Object.entries(fields(patch)).flat();
    if (set.length > 0) await this.call(() => this.redis.updateUser(this.userKey(id), ...set));
  }

  async useSecondFactor(id: string, use: SecondFactorUse): Promise<boolean> {
    const [kind, value] = 'totpStep' in use ? (['totp', String(use.totpStep)] as const) : (['recovery', use.recoveryCodeHash] as const);
    return (await this.call(() => this.redis.useSecondFactor(this.userKey(id), kind, value))) === 1;
  }

  /** The user a session belongs to, or null when its pointer has expired (so has the session). */
  private async ownerOf(id: string): Promise<string | null> {
    const known = this.owners.get(id);
    if (known !== undefined) {
      // Least recently used goes first: the sessions in use stay one round trip away.
      this.owners.delete(id);
      this.owners.set(id, known);
      return known;
    }
    const owner = await this.call(() => this.redis.get(this.sessionOwner(id)));
    if (owner !== null) this.remember(id, owner);
    return owner;
  }

  private remember(id: string, userId: string): void {
    if (this.owners.size >= OWNER_CACHE_MAX) this.owners.delete(this.owners.keys().next().value!);
    this.owners.set(id, userId);
  }

  /**
   * The index of users by earliest deadline is on another shard than the user, so it cannot change
   * in the user's script. Writers lower a user's entry after their script; only this raises it, and
   * it then re-reads the user's index and lowers again. Whatever interleaves, the last word on an
   * entry was written after the user's latest sessions were visible: never later than their deadline.
   */
  private async settleDue(userId: string, next: number | null): Promise<void> {
    await this.call(() => (next === null ? this.redis.zrem(this.due, userId) : this.redis.zadd(this.due, next, userId)));
    let first: string[];
    try {
      first = await this.call(() => this.redis.zrange(this.userIndex(userId), 0, 0, 'WITHSCORES'));
    } catch (e) {
      // Unsure what the user has now: due at once is safe, since a sweep that finds nothing settles it.
      await this.lowerDue(userId, 0).catch(() => {});
      throw e;
    }
    if (first[1] !== undefined && (next === null || Number(first[1]) < next)) await this.lowerDue(userId, Number(first[1]));
  }

  private async lowerDue(userId: string, at: number): Promise<void> {
    await this.call(() => this.redis.zadd(this.due, 'LT', at, userId));
  }

  async createSession(session: SessionRecord, limit?: SessionLimit): Promise<CreateSessionResult> {
    const { id, userId } = session;
    // Written first: a crash before the script leaves only a pointer, which expires by itself.
    // It expires with the record: activity and endings move both (see `patch`, `movePointers`).
    await this.call(() => this.redis.set(this.sessionOwner(id), userId, 'PXAT', Math.floor(session.purgeAt)));
    // Lowered before and after the script: before, so no session exists that `due` would miss if
    // this node died here; after, so a concurrent settleDue cannot have read the index too early.
    // (An ended record, as migrating brings, is due for nothing.)
    const live = session.endedAt === null;
    if (live) await this.lowerDue(userId, deadline(session));
    const raw = await this.call(() =>
      this.redis.createSession(this.sessionPrefix(userId) + id, this.userIndex(userId), JSON.stringify(session), limit ? JSON.stringify(limit) : '', this.sessionPrefix(userId)),
    );
    const r = JSON.parse(raw) as { ok: boolean; evicted?: SessionRecord[]; active?: SessionRecord[] };
    if (!r.ok) {
      await this.call(() => this.redis.del(this.sessionOwner(id)));
      return { ok: false, active: r.active ?? [] };
    }
    this.remember(id, userId);
    if (live) await this.lowerDue(userId, deadline(session));
    await this.movePointers(r.evicted ?? []);
    return { ok: true, evicted: r.evicted ?? [] };
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const userId = await this.ownerOf(id);
    if (userId === null) return null;
    const raw = await this.call(() => this.redis.get(this.sessionPrefix(userId) + id));
    return raw ? sessionFrom(raw) : null;
  }

  private async patch(id: string, patch: SessionPatch, expectedHash: string): Promise<boolean> {
    const userId = await this.ownerOf(id);
    if (userId === null) return false;
    const at = await this.call(() => this.redis.updateSession(this.sessionPrefix(userId) + id, this.userIndex(userId), JSON.stringify(patch), expectedHash));
    if (at <= 0) return false;
    await Promise.all([
      patch.idleExpiresAt !== undefined ? this.lowerDue(userId, at) : null,
      // Only later: an ending that raced this slide may have set the pointer to its tombstone's end.
      patch.purgeAt !== undefined ? this.call(() => this.redis.pexpireat(this.sessionOwner(id), Math.floor(patch.purgeAt!), 'GT')) : null,
    ]);
    return true;
  }

  updateSession(id: string, patch: SessionPatch): Promise<boolean> {
    return this.patch(id, patch, '');
  }

  rotateRefresh(id: string, expectedHash: string, patch: SessionPatch): Promise<boolean> {
    return this.patch(id, patch, expectedHash);
  }

  async endSession(id: string, ending: SessionEnding): Promise<SessionRecord | null> {
    const userId = await this.ownerOf(id);
    if (userId === null) return null;
    const raw = await this.call(() => this.redis.endSession(this.sessionPrefix(userId) + id, this.userIndex(userId), JSON.stringify({ ...ending, detail: ending.detail ?? null })));
    if (!raw) return null;
    const ended = sessionFrom(raw);
    await this.movePointers([ended]);
    return ended;
  }

  /**
   * An ending sets the record's purge time, earlier (a tombstone shorter than the deadlines left) or
   * later (ended after its deadline but before a sweep) than its pointer's: the pointer follows, so
   * it neither outlives the tombstone nor expires before it. Each session ends once, so no later
   * write races this one.
   */
  private async movePointers(ended: SessionRecord[]): Promise<void> {
    if (ended.length === 0) return;
    await this.call(() => Promise.all(ended.map((s) => this.redis.pexpireat(this.sessionOwner(s.id), Math.floor(s.purgeAt)))));
  }

  async endUserSessions(userId: string, ending: SessionEnding, opts: { exceptId?: string; app?: string; trustedDeviceId?: string } = {}): Promise<SessionRecord[]> {
    const raw = await this.call(() =>
      this.redis.endUserSessions(this.userIndex(userId), JSON.stringify({ ...ending, detail: ending.detail ?? null }), JSON.stringify(opts), this.sessionPrefix(userId)),
    );
    const ended = JSON.parse(raw) as SessionRecord[];
    await this.movePointers(ended);
    return ended;
  }

  async endAllSessions(ending: SessionEnding): Promise<number> {
    let n = 0;
    // Every user with a session that has not ended is in `due`; each user's step is atomic. One
    // pass of ZSCAN sees every user present from start to end, and ends while people sign in.
    let cursor = '0';
    do {
      const [next, page] = await this.call(() => this.redis.zscan(this.due, cursor, 'COUNT', 500));
      cursor = next;
      const users = page.filter((_, i) => i % 2 === 0);
      const ended = await Promise.all(
        users.map(async (userId) => {
          const out = await this.endUserSessions(userId, ending);
          await this.settleDue(userId, null);
          return out.length;
        }),
      );
      n += ended.reduce((a, b) => a + b, 0);
    } while (cursor !== '0');
    return n;
  }

  async listUserSessions(userId: string, now: number): Promise<SessionRecord[]> {
    const index = this.userIndex(userId);
    const ids = await this.call(() => this.redis.zrangebyscore(index, `(${now}`, '+inf'));
    if (ids.length === 0) return [];
    const raws = await this.call(() => this.redis.mget(ids.map((id) => this.sessionPrefix(userId) + id)));
    const out: SessionRecord[] = [];
    raws.forEach((raw, i) => {
      if (!raw) {
        void this.redis.zrem(index, ids[i]!).catch(() => {});
        return;
      }
      const s = sessionFrom(raw);
      if (s.endedAt === null && deadline(s) > now) out.push(s);
    });
    return out;
  }

  async sweep(now: number, opts: { limit: number; tombstoneTtlMs: number }): Promise<SweepResult> {
    const users = await this.call(() => this.redis.zrangebyscore(this.due, '-inf', now, 'LIMIT', 0, opts.limit));
    const timedOut: SessionRecord[] = [];
    let failure: unknown = null;
    for (const userId of users) {
      if (timedOut.length >= opts.limit) break;
      // One user's shard being away must not hold up everyone else's timeouts, nor lose the
      // endings already made in this batch (their events are recorded from what is returned).
      try {
        const raw = await this.call(() =>
          this.redis.timeOutUser(this.userIndex(userId), String(now), String(opts.tombstoneTtlMs), this.sessionPrefix(userId), String(opts.limit - timedOut.length)),
        );
        const r = JSON.parse(raw) as { timedOut: SessionRecord[]; next: number };
        timedOut.push(...r.timedOut);
        await this.movePointers(r.timedOut);
        await this.settleDue(userId, r.next < 0 ? null : r.next);
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure !== null && timedOut.length === 0) throw failure;
    // Ended records and their pointers expire by themselves at purgeAt: nothing to delete here.
    return { timedOut, purged: 0 };
  }

  async createTrustedDevice(d: TrustedDeviceRecord): Promise<void> {
    await this.call(() => this.redis.set(this.deviceOwner(d.id), d.userId, 'PXAT', d.expiresAt));
    await this.call(() => this.redis.saveDevice(this.deviceKey(d.userId, d.id), this.userDevices(d.userId), JSON.stringify(d), ''));
  }

  async findTrustedDevice(id: string): Promise<TrustedDeviceRecord | null> {
    const userId = await this.call(() => this.redis.get(this.deviceOwner(id)));
    if (userId === null) return null;
    const raw = await this.call(() => this.redis.get(this.deviceKey(userId, id)));
    return raw ? (JSON.parse(raw) as TrustedDeviceRecord) : null;
  }

  async updateTrustedDevice(id: string, patch: TrustedDevicePatch): Promise<void> {
    const userId = await this.call(() => this.redis.get(this.deviceOwner(id)));
    if (userId === null) return;
    const saved = await this.call(() => this.redis.saveDevice(this.deviceKey(userId, id), this.userDevices(userId), JSON.stringify(patch), 'patch'));
    if (saved && patch.expiresAt !== undefined) await this.call(() => this.redis.pexpireat(this.deviceOwner(id), patch.expiresAt!, 'GT'));
  }

  async listTrustedDevices(userId: string, now: number): Promise<TrustedDeviceRecord[]> {
    const set = this.userDevices(userId);
    const ids = await this.call(() => this.redis.smembers(set));
    if (ids.length === 0) return [];
    const raws = await this.call(() => this.redis.mget(ids.map((id) => this.deviceKey(userId, id))));
    const out: TrustedDeviceRecord[] = [];
    raws.forEach((raw, i) => {
      if (!raw) void this.redis.srem(set, ids[i]!).catch(() => {});
      else {
        const d = JSON.parse(raw) as TrustedDeviceRecord;
        if (d.expiresAt > now) out.push(d);
      }
    });
    return out.sort((a, b) => b.lastUsedAt - a.lastUsedAt);
  }

  async deleteTrustedDevice(userId: string, id: string): Promise<boolean> {
    const raw = await this.call(() => this.redis.get(this.deviceKey(userId, id)));
    if (!raw) return false;
    await this.call(() => this.redis.multi().del(this.deviceKey(userId, id)).srem(this.userDevices(userId), id).exec());
    await this.call(() => this.redis.del(this.deviceOwner(id)));
    return true;
  }

  async recordEvent(event: NewAuditEvent): Promise<AuditEvent> {
    const id = await this.call(() => this.redis.recordEvent(this.events, this.channel, JSON.stringify(event), String(EVENTS_MAX)));
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
        forward ? this.redis.xrange(this.events, cursor, '+', 'COUNT', 500) : this.redis.xrevrange(this.events, cursor, '-', 'COUNT', 500),
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
    return this.call(() => this.redis.incrementCounter(`${this.p}:c:${key}`, String(ttlMs)));
  }

  async decrementCounter(key: string): Promise<void> {
    await this.call(() => this.redis.decrementCounter(`${this.p}:c:${key}`));
  }

  async peekCounter(key: string): Promise<number> {
    return Number((await this.call(() => this.redis.get(`${this.p}:c:${key}`))) ?? 0);
  }

  async resetCounter(key: string): Promise<void> {
    await this.call(() => this.redis.del(`${this.p}:c:${key}`));
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    const values = await this.call(() => this.redis.hvals(`${this.p}:keys`));
    return values.map((v) => JSON.parse(v) as SigningKeyRecord);
  }

  async saveSigningKey(key: SigningKeyRecord): Promise<void> {
    await this.call(() => this.redis.hset(`${this.p}:keys`, key.kid, JSON.stringify(key)));
  }

  async claimSetting(name: string, value: string): Promise<string> {
    // A setting never changes once set, so reading it after HSETNX needs no transaction.
    await this.call(() => this.redis.hsetnx(`${this.p}:settings`, name, value));
    return (await this.call(() => this.redis.hget(`${this.p}:settings`, name)))!;
  }

  async createAppKey(key: AppKeyRecord): Promise<void> {
    const { lastUsedAt, ...record } = key;
    const f: Record<string, string> = { [`id:${key.id}`]: JSON.stringify(record), [`h:${key.secretHash}`]: key.id };
    if (lastUsedAt !== null) f[`u:${key.id}`] = String(lastUsedAt);
    await this.call(() => this.redis.hset(this.appKeys, f));
  }

  async listAppKeys(app: string): Promise<AppKeyRecord[]> {
    const all = await this.call(() => this.redis.hgetall(this.appKeys));
    const keys: AppKeyRecord[] = [];
    for (const [field, raw] of Object.entries(all)) {
      if (!field.startsWith('id:')) continue;
      const record = JSON.parse(raw) as Omit<AppKeyRecord, 'lastUsedAt'>;
      const used = all[`u:${record.id}`];
      if (record.app === app) keys.push({ ...record, lastUsedAt: used === undefined ? null : Number(used) });
    }
    return keys.sort((a, b) => a.createdAt - b.createdAt);
  }

  async findAppKeyByHash(secretHash: string): Promise<AppKeyRecord | null> {
    const id = await this.call(() => this.redis.hget(this.appKeys, `h:${secretHash}`));
    if (id === null) return null;
    const [raw, used] = await this.call(() => this.redis.hmget(this.appKeys, `id:${id}`, `u:${id}`));
    return raw ? { ...(JSON.parse(raw) as Omit<AppKeyRecord, 'lastUsedAt'>), lastUsedAt: used ? Number(used) : null } : null;
  }

  async deleteAppKey(app: string, id: string): Promise<boolean> {
    const raw = await this.call(() => this.redis.hget(this.appKeys, `id:${id}`));
    if (!raw) return false;
    const record = JSON.parse(raw) as AppKeyRecord;
    if (record.app !== app) return false;
    // One HDEL: the record, its hash pointer and lastUsedAt go together; a racing delete removes 0.
    return (await this.call(() => this.redis.hdel(this.appKeys, `id:${id}`, `h:${record.secretHash}`, `u:${id}`))) > 0;
  }

  async touchAppKey(id: string, lastUsedAt: number): Promise<void> {
    await this.call(() => this.redis.touchAppKey(this.appKeys, id, String(lastUsedAt)));
  }
}

/** A store for a SESSIOND_STORE Redis URL (see `parseRedisUrl`); `prefix` overrides the URL's. */
export function createRedisStore(url: string, opts: { prefix?: string } = {}): RedisStore {
  const target = parseRedisUrl(url);
  return new RedisStore(opts.prefix === undefined ? target : { ...target, prefix: opts.prefix });
}
