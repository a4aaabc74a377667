import { resumeFeed, type AuditEvent, type EventLog, type ResumeOptions } from '@sessiond/core';

type Listener = (event: AuditEvent) => void;

/**
 * One subscription to the store's event feed, fanned out to the open push connections: per
 * session (the browser's own channel) and to everyone (the admin events feed).
 */
export class SessionFeed {
  private readonly bySession = new Map<string, Set<Listener>>();
  private readonly all = new Set<Listener>();
  private readonly unsubscribe: () => void;

  constructor(private readonly log: EventLog) {
    this.unsubscribe = log.subscribe((e) => this.dispatch(e));
  }

  private dispatch(e: AuditEvent): void {
    for (const l of this.all) l(e);
    if (e.type === 'sessions.ended_all') {
      for (const set of this.bySession.values()) for (const l of set) l(e);
    } else if (e.sessionId) {
      const set = this.bySession.get(e.sessionId);
      if (set) for (const l of set) l(e);
    }
  }

  onSession(sessionId: string, listener: Listener): () => void {
    let set = this.bySession.get(sessionId);
    if (!set) this.bySession.set(sessionId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.bySession.delete(sessionId);
    };
  }

  onAny(listener: Listener): () => void {
    this.all.add(listener);
    return () => this.all.delete(listener);
  }

  /** Every event after `afterId` (null: from now), then live ones, each once: core's `resumeFeed`. */
  resume(afterId: string | null, listener: Listener, opts?: ResumeOptions): Promise<() => void> {
    return resumeFeed(this.log, (l) => this.onAny(l), afterId, listener, opts);
  }

  close(): void {
    this.unsubscribe();
    this.bySession.clear();
    this.all.clear();
  }
}
