import { SessiondError } from './errors.ts';

/** How many push channels (session-watch.ts) one node holds open. */
export interface PushChannelLimits {
  /** Past it the session's oldest channel closes, so a reload never locks anyone out. */
  perSession: number;
  /** Past these a new channel is refused with 429. */
  perUser: number;
  perNode: number;
}

/**
 * Five per session: a browser opens at most six HTTP/1.1 connections to an origin, so a sixth
 * channel would stall its own requests anyway. Twenty per user covers a few devices with tabs.
 */
export const PUSH_CHANNELS_PER_SESSION = 5;
export const PUSH_CHANNELS_PER_USER = 20;

/** How long a refused client should wait: roughly how often tabs come and go. */
const RETRY_AFTER_S = 30;

/** What a node's metrics learn of its channels. */
export interface PushChannelObserver {
  opened?(): void;
  closed?(): void;
  refused?(limit: 'user' | 'node'): void;
}

/**
 * One node's open push channels, so that one cookie cannot hold its file descriptors: which
 * channel is admitted, which one closes to make room, which is refused. The server holds the
 * sockets; this holds only their `close`.
 */
export class PushChannelCaps {
  /** Each session's channels, oldest first (a Set keeps insertion order). */
  private readonly bySession = new Map<string, Set<() => void>>();
  private readonly byUser = new Map<string, number>();
  private open = 0;

  constructor(
    private readonly limits: PushChannelLimits,
    private readonly observer: PushChannelObserver = {},
  ) {}

  /**
   * Admits a channel whose `close` ends it (and calls the release); returns the release to call
   * once it has ended, however it ended. A session at its limit closes its oldest channel for the
   * new one; past the user's or the node's limit, throws rate_limited.
   */
  admit(sessionId: string, userId: string, close: () => void): () => void {
    const mine = this.bySession.get(sessionId);
    if (mine && mine.size >= this.limits.perSession) {
      // Replacing a channel of the same session keeps every count where it is.
      mine.values().next().value!();
    } else if ((this.byUser.get(userId) ?? 0) >= this.limits.perUser) {
      throw this.refuse('user');
    } else if (this.open >= this.limits.perNode) {
      throw this.refuse('node');
    }
    const channels = this.bySession.get(sessionId) ?? new Set();
    this.bySession.set(sessionId, channels);
    channels.add(close);
    this.byUser.set(userId, (this.byUser.get(userId) ?? 0) + 1);
    this.open++;
    this.observer.opened?.();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      channels.delete(close);
      if (channels.size === 0) this.bySession.delete(sessionId);
      const n = this.byUser.get(userId)! - 1;
      if (n === 0) this.byUser.delete(userId);
      else this.byUser.set(userId, n);
      this.open--;
      this.observer.closed?.();
    };
  }

  private refuse(limit: 'user' | 'node'): SessiondError {
    this.observer.refused?.(limit);
    return new SessiondError(limit === 'user' ? 'rate_limited.push_user' : 'rate_limited.push_node', { retryAfter: RETRY_AFTER_S, details: { limit } });
  }
}
