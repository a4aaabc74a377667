/**
 * Sessions the events feed said have ended, remembered as long as a token of theirs could still
 * be unexpired; plus a cut-off for global logouts.
 */
export class Revocations {
  private readonly ended = new Map<string, { reason: string; forgetAt: number }>();
  private globalCutoffMs = 0;
  private globalReason = 'global_logout';

  constructor(private readonly rememberMs: number) {}

  end(sessionId: string, reason: string, now: number): void {
    this.ended.set(sessionId, { reason, forgetAt: now + this.rememberMs });
  }

  endAll(atMs: number, reason: string): void {
    this.globalCutoffMs = Math.max(this.globalCutoffMs, atMs);
    this.globalReason = reason;
  }

  /** The reason this token's session ended, or null. */
  check(sessionId: string, issuedAtMs: number): string | null {
    const e = this.ended.get(sessionId);
    if (e) return e.reason;
    // iat has second resolution: a token from the logout's own second counts as before it.
    return issuedAtMs <= this.globalCutoffMs ? this.globalReason : null;
  }

  prune(now: number): void {
    for (const [id, e] of this.ended) if (e.forgetAt <= now) this.ended.delete(id);
  }

  get size(): number {
    return this.ended.size;
  }
}
