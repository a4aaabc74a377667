import type { Clock } from './clock.ts';
import { expiresAt } from './deadlines.ts';
import { SessiondError } from './errors.ts';
import type { RequestContext, SessionService } from './sessions.ts';
import type { AuditEvent, EndDetail, EndReason, SessionRecord } from './types.ts';
import { sessionView } from './view.ts';

/** A session's deadlines as the browser schedules its warning by them (ISO-8601). */
export interface WatchedDeadlines {
  expiresAt: string;
  warnAt: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
}

/** What a push channel tells its browser, in order: the state, then extensions, then at most one ending. */
export type WatchMessage =
  | { event: 'session.state'; data: WatchedDeadlines }
  | { event: 'session.extended'; data: WatchedDeadlines & { warningBeforeMs: number } }
  | { event: 'session.ended'; data: { reason: EndReason; message: string; endedAt: string } };

export interface WatchChannel {
  /** The session's events from every node; returns the unsubscribe. */
  subscribe(sessionId: string, listener: (e: AuditEvent) => void): () => void;
  send(message: WatchMessage): void;
  /** The watch is over (the session ended or is gone): the channel closes. Not called by `stop()`. */
  finished(): void;
}

/** A moment 50 ms past the deadline, so the check that follows finds it passed. */
const DEADLINE_SLACK_MS = 50;

/**
 * Watches one session for its push channel: tells the channel the moment the session ends on any
 * node or reaches its deadline, and when another tab kept it alive. Checks are passive: being
 * watched is not activity. Returns `stop`, for when the channel closes first.
 */
export function watchSession(deps: { sessions: SessionService; clock: Clock }, start: SessionRecord, ctx: RequestContext, channel: WatchChannel): () => void {
  const { sessions, clock } = deps;
  const passive = { ...ctx, passive: true };
  let session = start;
  let stopped = false;
  let cancelDeadline = () => {};

  const deadlines = (s: SessionRecord): WatchedDeadlines => {
    const v = sessionView(s, sessions.policy(s.app), s.id);
    return { expiresAt: v.expiresAt, warnAt: v.warnAt, idleExpiresAt: v.idleExpiresAt, absoluteExpiresAt: v.absoluteExpiresAt };
  };
  const stop = () => {
    if (stopped) return;
    stopped = true;
    cancelDeadline();
    unsubscribe();
  };
  // A deadline check and a feed event can both report the ending: only the first is told.
  const ended = (e: SessiondError) => {
    if (stopped) return;
    channel.send({ event: 'session.ended', data: { reason: e.reason ?? 'logged_out', message: e.message, endedAt: new Date(e.endedAt ?? clock.now()).toISOString() } });
    stop();
    channel.finished();
  };
  const endedBy = (reason: EndReason, at: number, detail: EndDetail | null) =>
    ended(sessions.endedError({ ...session, endedAt: at, endReason: reason, endDetail: detail }));

  // Re-checks the session to learn its current deadline or why it ended.
  const recheck = async () => {
    try {
      const found = await sessions.validateById(session.id, passive);
      if (stopped) return;
      session = found;
      channel.send({ event: 'session.extended', data: { ...deadlines(session), warningBeforeMs: sessions.policy(session.app).warningBeforeMs } });
      scheduleDeadline();
    } catch (e) {
      if (e instanceof SessiondError && e.code === 'session_ended' && e.reason) ended(e);
      else if (e instanceof SessiondError && e.code === 'invalid_token' && !stopped) {
        stop();
        channel.finished();
      }
      // store_unavailable: keep watching; the next event or deadline check tries again.
    }
  };
  const scheduleDeadline = () => {
    cancelDeadline();
    cancelDeadline = clock.after(Math.max(0, expiresAt(session) - clock.now()) + DEADLINE_SLACK_MS, () => void recheck());
  };

  const unsubscribe = channel.subscribe(session.id, (e) => {
    if (stopped) return;
    if (e.type === 'session.ended' && e.sessionId === session.id) endedBy(e.reason ?? 'logged_out', e.at, (e.data.detail as EndDetail | undefined) ?? null);
    else if (e.type === 'sessions.ended_all') endedBy(e.reason ?? 'global_logout', e.at, null);
    else if (e.type === 'session.extended' || e.type === 'session.refreshed' || e.type === 'session.reauthenticated') void recheck();
  });
  channel.send({ event: 'session.state', data: deadlines(session) });
  scheduleDeadline();
  return stop;
}
