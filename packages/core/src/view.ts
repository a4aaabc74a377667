import { expiresAt } from './deadlines.ts';
import type { SessionPolicy } from './policy.ts';
import type { Location, SessionRecord } from './types.ts';

/** The SPEC's SessionView: what clients may see of a session. No secret, no hash. */
export interface SessionView {
  id: string;
  userId: string;
  app: string;
  current: boolean;
  createdAt: string;
  lastActiveAt: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
  expiresAt: string;
  warnAt: string;
  rememberMe: boolean;
  trustedDevice: boolean;
  device: { browser: string | null; os: string | null; type: string; label: string };
  location: Location | null;
  ip: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function sessionView(s: SessionRecord, policy: SessionPolicy, currentId: string | null): SessionView {
  const exp = expiresAt(s);
  return {
    id: s.id,
    userId: s.userId,
    app: s.app,
    current: s.id === currentId,
    createdAt: iso(s.createdAt),
    lastActiveAt: iso(s.lastActiveAt),
    idleExpiresAt: iso(s.idleExpiresAt),
    absoluteExpiresAt: iso(s.absoluteExpiresAt),
    expiresAt: iso(exp),
    warnAt: iso(Math.max(s.createdAt, exp - policy.warningBeforeMs)),
    rememberMe: s.rememberMe,
    trustedDevice: s.trustedDeviceId !== null,
    device: { browser: s.device.browser, os: s.device.os, type: s.device.type, label: s.device.label },
    location: s.locationLast ?? s.locationFirst,
    ip: s.ipLast,
  };
}

/** Current first, then most recently active. */
export function orderSessions(sessions: SessionRecord[], currentId: string | null): SessionRecord[] {
  return [...sessions].sort((a, b) => (a.id === currentId ? -1 : b.id === currentId ? 1 : b.lastActiveAt - a.lastActiveAt));
}
