import { expiresAt, isActive, type CreateSessionResult, type EndUserSessionsFilter, type SessionEnding, type SessionLimit, type SessionPatch, type SessionRecord, type SessionStore, type SweepResult } from '@sessiond/core';
import type { RedisConnection } from './connection.ts';
import type { Due } from './due.ts';
import type { OwnerCache } from './owner-cache.ts';

/**
 * Session bodies come back through cjson, which turns an empty array into {}: their one list,
 * `authMethods`, is never empty (null stands for none).
 */
const sessionFrom = (json: string) => JSON.parse(json) as SessionRecord;
const endingArg = (ending: SessionEnding) => JSON.stringify({ ...ending, detail: ending.detail ?? null });

/**
 * Session bodies are JSON strings whose key expires at purgeAt: an ended session stays as its own
 * tombstone and then vanishes without a sweep. The concurrent limit and the sweep's reasons run in
 * Lua (scripts/sessions.ts), checked against core's rules by the conformance suite.
 */
export class RedisSessions implements SessionStore {
  constructor(
    private readonly c: RedisConnection,
    private readonly owners: OwnerCache,
    private readonly due: Due,
  ) {}

  async createSession(session: SessionRecord, limit?: SessionLimit): Promise<CreateSessionResult> {
    const { redis, k } = this.c;
    const { id, userId } = session;
    // Written first: a crash before the script leaves only a pointer, which expires by itself.
    // It expires with the record: activity and endings move both (see `patch`, `movePointers`).
    await this.c.call(() => redis.set(k.sessionOwner(id), userId, 'PXAT', Math.floor(session.purgeAt)));
    // Lowered before and after the script: before, so no session exists that `due` would miss if
    // this node died here; after, so a concurrent settle cannot have read the index too early.
    // (An ended record, as migrating brings, is due for nothing.)
    const live = session.endedAt === null;
    if (live) await this.due.lower(userId, expiresAt(session));
    const raw = await this.c.call(() => redis.createSession(k.session(userId, id), k.userIndex(userId), JSON.stringify(session), limit ? JSON.stringify(limit) : '', k.sessionPrefix(userId)));
    const r = JSON.parse(raw) as { ok: boolean; evicted?: SessionRecord[]; active?: SessionRecord[]; accountLimit?: true };
    if (!r.ok) {
      await this.c.call(() => redis.del(k.sessionOwner(id)));
      return { ok: false, active: r.active ?? [], ...(r.accountLimit ? { accountLimit: true as const } : {}) };
    }
    this.owners.remember(id, userId);
    if (live) await this.due.lower(userId, expiresAt(session));
    await this.movePointers(r.evicted ?? []);
    return { ok: true, evicted: r.evicted ?? [] };
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const userId = await this.owners.ownerOf(id);
    if (userId === null) return null;
    const raw = await this.c.call(() => this.c.redis.get(this.c.k.session(userId, id)));
    return raw ? sessionFrom(raw) : null;
  }

  private async patch(id: string, patch: SessionPatch, expectedHash: string): Promise<boolean> {
    const { redis, k } = this.c;
    const userId = await this.owners.ownerOf(id);
    if (userId === null) return false;
    const at = await this.c.call(() => redis.updateSession(k.session(userId, id), k.userIndex(userId), JSON.stringify(patch), expectedHash));
    if (at <= 0) return false;
    await Promise.all([
      patch.idleExpiresAt !== undefined ? this.due.lower(userId, at) : null,
      // Only later: an ending that raced this slide may have set the pointer to its tombstone's end.
      patch.purgeAt !== undefined ? this.c.call(() => redis.pexpireat(k.sessionOwner(id), Math.floor(patch.purgeAt!), 'GT')) : null,
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
    const userId = await this.owners.ownerOf(id);
    if (userId === null) return null;
    const raw = await this.c.call(() => this.c.redis.endSession(this.c.k.session(userId, id), this.c.k.userIndex(userId), endingArg(ending)));
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
    await this.c.call(() => Promise.all(ended.map((s) => this.c.redis.pexpireat(this.c.k.sessionOwner(s.id), Math.floor(s.purgeAt)))));
  }

  async endUserSessions(userId: string, ending: SessionEnding, opts: EndUserSessionsFilter = {}): Promise<SessionRecord[]> {
    const { k } = this.c;
    const raw = await this.c.call(() => this.c.redis.endUserSessions(k.userIndex(userId), endingArg(ending), JSON.stringify(opts), k.sessionPrefix(userId)));
    const ended = JSON.parse(raw) as SessionRecord[];
    await this.movePointers(ended);
    return ended;
  }

  async endAllSessions(ending: SessionEnding): Promise<number> {
    let n = 0;
    // Every user with a session that has not ended is in `due`; each user's step is atomic, and
    // this ends while people sign in.
    for await (const users of this.due.everyUser()) {
      const ended = await Promise.all(
        users.map(async (userId) => {
          const out = await this.endUserSessions(userId, ending);
          await this.due.settle(userId, null);
          return out.length;
        }),
      );
      n += ended.reduce((a, b) => a + b, 0);
    }
    return n;
  }

  async listUserSessions(userId: string, now: number): Promise<SessionRecord[]> {
    const { redis, k } = this.c;
    const index = k.userIndex(userId);
    const ids = await this.c.call(() => redis.zrangebyscore(index, `(${now}`, '+inf'));
    if (ids.length === 0) return [];
    const raws = await this.c.call(() => redis.mget(ids.map((id) => k.session(userId, id))));
    const out: SessionRecord[] = [];
    raws.forEach((raw, i) => {
      if (!raw) {
        void redis.zrem(index, ids[i]!).catch(() => {});
        return;
      }
      const s = sessionFrom(raw);
      if (isActive(s, now)) out.push(s);
    });
    return out;
  }

  async sweep(now: number, opts: { limit: number; tombstoneTtlMs: number }): Promise<SweepResult> {
    const { k } = this.c;
    const users = await this.due.users(now, opts.limit);
    const timedOut: SessionRecord[] = [];
    let failure: unknown = null;
    for (const userId of users) {
      if (timedOut.length >= opts.limit) break;
      // One user's shard being away must not hold up everyone else's timeouts, nor lose the
      // endings already made in this batch (their events are recorded from what is returned).
      try {
        const raw = await this.c.call(() =>
          this.c.redis.timeOutUser(k.userIndex(userId), String(now), String(opts.tombstoneTtlMs), k.sessionPrefix(userId), String(opts.limit - timedOut.length)),
        );
        const r = JSON.parse(raw) as { timedOut: SessionRecord[]; next: number };
        timedOut.push(...r.timedOut);
        await this.movePointers(r.timedOut);
        await this.due.settle(userId, r.next < 0 ? null : r.next);
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure !== null && timedOut.length === 0) throw failure;
    // Ended records and their pointers expire by themselves at purgeAt: nothing to delete here.
    return { timedOut, purged: 0 };
  }
}
