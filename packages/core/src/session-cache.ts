import type { SessionRecord } from './types.ts';

interface Entry {
  session: SessionRecord;
  cachedAt: number;
}

/**
 * Validated sessions kept in memory so the hot path rarely reads the store. Endings published by
 * any node drop entries at once; the TTL bounds staleness even if that feed is interrupted.
 * Map insertion order gives LRU eviction for free.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped on every invalidation so a read that raced an ending is not cached. */
  generation = 0;

  constructor(
    private readonly maxSize: number,
    private readonly ttlMs: number,
  ) {}

  get(id: string, now: number): SessionRecord | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (now - e.cachedAt >= this.ttlMs) {
      this.entries.delete(id);
      return undefined;
    }
    return e.session;
  }

  set(session: SessionRecord, now: number, generationAtRead = this.generation): void {
    if (this.maxSize <= 0 || generationAtRead !== this.generation) return;
    this.entries.delete(session.id);
    this.entries.set(session.id, { session, cachedAt: now });
    if (this.entries.size > this.maxSize) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** Replaces a cached record after a local write without resetting its age. */
  update(session: SessionRecord): void {
    const e = this.entries.get(session.id);
    if (e) e.session = session;
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
