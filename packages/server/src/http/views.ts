import { orderSessions, sessionView, type SessionRecord, type SessionView, type TrustedDeviceRecord } from '@sessiond/core';
import type { AppContext } from '../context.ts';

export function viewOf(app: AppContext, s: SessionRecord, currentId: string | null): SessionView {
  return sessionView(s, app.sessiond.sessions.policy(s.app), currentId);
}

export function listView(app: AppContext, sessions: SessionRecord[], currentId: string | null): SessionView[] {
  return orderSessions(sessions, currentId).map((s) => viewOf(app, s, currentId));
}

/** A trusted device as its owner sees it: never its secret's hash. */
export function trustedDeviceView(d: TrustedDeviceRecord, currentDeviceId: string | null) {
  const iso = (ms: number) => new Date(ms).toISOString();
  return { id: d.id, label: d.label, createdAt: iso(d.createdAt), lastUsedAt: iso(d.lastUsedAt), expiresAt: iso(d.expiresAt), current: d.id === currentDeviceId };
}
