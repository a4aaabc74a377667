import { orderSessions, sessionView, type SessionRecord, type SessionView } from '@sessiond/core';
import type { AppContext } from '../context.ts';

export function viewOf(app: AppContext, s: SessionRecord, currentId: string | null): SessionView {
  return sessionView(s, app.sessiond.sessions.policy(s.app), currentId);
}

export function listView(app: AppContext, sessions: SessionRecord[], currentId: string | null): SessionView[] {
  return orderSessions(sessions, currentId).map((s) => viewOf(app, s, currentId));
}

