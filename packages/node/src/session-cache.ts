/**
 * Validated sessions kept briefly, keyed by a hash of the credential, and dropped by session id
 * when the events feed reports an ending. A validation that was under way when its session ended
 * (or the cache was cleared) is not stored: its answer predates the ending.
 */
export class SessionCache<T> {
  private readonly entries = new Map<string, { sessionId: string; value: T; until: number }>();
  private readonly keysBySession = new Map<string, Set<string>>();
  /** Drops, stamped with the sequence number at which they happened. */
  private readonly droppedAt = new Map<string, { seq: number; at: number }>();
  private seq = 0;
  private clearedSeq = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  /** Taken before asking sessiond; `set` refuses the answer if an ending came after it. */
  ticket(): number {
    return this.seq;
  }

  get(key: string): T | null {
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.until <= this.now()) {
      this.delete(key);
      return null;
    }
    return e.value;
  }

  set(key: string, sessionId: string, value: T, until: number, ticket: number): void {
    if (this.maxEntries <= 0 || until <= this.now()) return;
    if (this.clearedSeq > ticket || (this.droppedAt.get(sessionId)?.seq ?? -1) >= ticket) return;
    this.delete(key);
    if (this.entries.size >= this.maxEntries) this.delete(this.entries.keys().next().value!);
    this.entries.set(key, { sessionId, value, until });
    let keys = this.keysBySession.get(sessionId);
    if (!keys) this.keysBySession.set(sessionId, (keys = new Set()));
    keys.add(key);
  }

  dropSession(sessionId: string): void {
    const now = this.now();
    this.droppedAt.set(sessionId, { seq: this.seq++, at: now });
    for (const key of this.keysBySession.get(sessionId) ?? []) this.entries.delete(key);
    this.keysBySession.delete(sessionId);
    // A drop matters only to validations under way (seconds): forget old ones.
    if (this.droppedAt.size > 1_000) for (const [id, d] of this.droppedAt) if (now - d.at > 60_000) this.droppedAt.delete(id);
  }

  clear(): void {
    this.clearedSeq = ++this.seq;
    this.entries.clear();
    this.keysBySession.clear();
    this.droppedAt.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    const keys = this.keysBySession.get(e.sessionId);
    keys?.delete(key);
    if (keys?.size === 0) this.keysBySession.delete(e.sessionId);
  }
}
