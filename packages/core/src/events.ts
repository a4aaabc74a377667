import type { EventLog } from './store.ts';
import type { AuditEvent, EndReason, EventType, SessionRecord } from './types.ts';

/** Builds audit events; never given a secret, so none can reach the log or the feed. */
export function sessionEvent(
  type: EventType,
  s: Pick<SessionRecord, 'id' | 'userId' | 'app' | 'ipLast'>,
  at: number,
  extra: { reason?: EndReason | null; data?: Record<string, unknown>; ip?: string | null } = {},
): Omit<AuditEvent, 'id'> {
  return {
    type,
    at,
    userId: s.userId,
    sessionId: s.id,
    ip: extra.ip ?? s.ipLast,
    reason: extra.reason ?? null,
    data: { app: s.app, ...extra.data },
  };
}

export function recordEnded(store: Pick<EventLog, 'recordEvent'>, s: SessionRecord): Promise<AuditEvent> {
  return store.recordEvent(
    sessionEvent('session.ended', s, s.endedAt ?? 0, {
      reason: s.endReason,
      // The device label lets the person's activity say what was signed out, after the record is purged.
      data: { device: s.device.label, ...(s.endDetail ? { detail: s.endDetail } : {}) },
    }),
  );
}
