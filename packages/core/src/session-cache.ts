import type { SessionRecord } from './types.ts';
import { TtlCache } from './ttl-cache.ts';

/**
 * Validated sessions kept in memory so the hot path rarely reads the store: a TtlCache whose
 * invalidations bump a generation, so a read that raced an ending is not cached.
 */
export class SessionCache {
  private readonly entries: TtlCache<SessionRecord>;
  /** Bumped on every invalidation. */
  generation = 0;

  constructor(maxSize: number, ttlMs: number) {
    this.entries = new TtlCache(maxSize, ttlMs);
  }

  get(id: string, now: number): SessionRecord | undefined {
    return this.entries.get(id, now);
  }

  set(session: SessionRecord, now: number, generationAtRead = this.generation): void {
    if (generationAtRead === this.generation) this.entries.set(session.id, session, now);
  }

  /** Replaces a cached record after a local write without resetting its age. */
  update(session: SessionRecord): void {
    this.entries.update(session.id, session);
  }

  delete(id: string): void {
    this.generation++;
    this.entries.delete(id);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
