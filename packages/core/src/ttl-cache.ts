/**
 * A bounded map whose entries are trusted for `ttlMs` after they were put in. Insertion order
 * gives LRU eviction for free (`set` moves an entry to the end). Used for validated sessions and
 * found app keys: in both, an ending or revocation drops an entry at once through the feed, and
 * the TTL bounds how stale an entry can be when that feed is interrupted.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; cachedAt: number }>();

  constructor(
    private readonly maxSize: number,
    private readonly ttlMs: number,
  ) {}

  get(key: string, now: number): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (now - e.cachedAt >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V, now: number): void {
    if (this.maxSize <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, cachedAt: now });
    if (this.entries.size > this.maxSize) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Replaces a cached value without resetting its age (a local write of what is already trusted). */
  update(key: string, value: V): void {
    const e = this.entries.get(key);
    if (e) e.value = value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry whose value matches (app keys are cached by hash, revoked by id). */
  deleteWhere(match: (value: V) => boolean): void {
    for (const [key, e] of this.entries) if (match(e.value)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
