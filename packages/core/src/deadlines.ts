import type { SessionPolicy } from './policy.ts';
import type { EndReason, SessionEnding, SessionRecord } from './types.ts';

export interface Deadlines {
  idleTimeoutMs: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
}

/** Deadlines of a session signed in at `now`; "Keep me signed in" has its own pair. */
export function initialDeadlines(policy: SessionPolicy, rememberMe: boolean, now: number): Deadlines {
  const idleTimeoutMs = rememberMe ? policy.rememberMeIdleTimeoutMs : policy.idleTimeoutMs;
  const absoluteTimeoutMs = rememberMe ? policy.rememberMeTimeoutMs : policy.absoluteTimeoutMs;
  return { idleTimeoutMs, idleExpiresAt: now + idleTimeoutMs, absoluteExpiresAt: now + absoluteTimeoutMs };
}

/** The earlier of the two deadlines: when the session ends unless it is used. */
export function expiresAt(s: Pick<SessionRecord, 'idleExpiresAt' | 'absoluteExpiresAt'>): number {
  return Math.min(s.idleExpiresAt, s.absoluteExpiresAt);
}

/** Which deadline has passed at `now`, if any. The absolute one wins a tie: it cannot be extended. */
export function passedDeadline(s: SessionRecord, now: number): { reason: EndReason; at: number; timeoutMs: number } | null {
  if (now < expiresAt(s)) return null;
  return timeoutReason(s) === 'absolute_timeout'
    ? { reason: 'absolute_timeout', at: s.absoluteExpiresAt, timeoutMs: s.absoluteExpiresAt - s.createdAt }
    : { reason: 'idle_timeout', at: s.idleExpiresAt, timeoutMs: s.idleTimeoutMs };
}

/** Activity moves the idle deadline forward, never backwards; expiresAt still caps it at the absolute one. */
export function slideIdle(s: SessionRecord, now: number): number {
  return Math.max(s.idleExpiresAt, now + s.idleTimeoutMs);
}

export function purgeAtFor(s: Pick<SessionRecord, 'idleExpiresAt' | 'absoluteExpiresAt'>, tombstoneTtlMs: number): number {
  return expiresAt(s) + tombstoneTtlMs;
}

/** Not ended and before its earlier deadline: what limits count and lists show. */
export function isActive(s: Pick<SessionRecord, 'endedAt' | 'idleExpiresAt' | 'absoluteExpiresAt'>, now: number): boolean {
  return s.endedAt === null && expiresAt(s) > now;
}

/** Why a session that reached its earlier deadline ended. The absolute one wins a tie, as in `passedDeadline`. */
export function timeoutReason(s: Pick<SessionRecord, 'idleExpiresAt' | 'absoluteExpiresAt'>): 'idle_timeout' | 'absolute_timeout' {
  return s.absoluteExpiresAt <= s.idleExpiresAt ? 'absolute_timeout' : 'idle_timeout';
}

/** How the sweep ends a session past its deadline: at that deadline, its tombstone kept `tombstoneTtlMs`. */
export function timeoutEnding(s: Pick<SessionRecord, 'idleExpiresAt' | 'absoluteExpiresAt'>, tombstoneTtlMs: number): SessionEnding {
  const at = expiresAt(s);
  return { at, reason: timeoutReason(s), detail: null, purgeAt: at + tombstoneTtlMs };
}
