import { expiresAt } from './deadlines.ts';
import type { SessionPolicy } from './policy.ts';
import type { SessionView } from '@sessiond/contract';
import type { SessionRecord } from './types.ts';

/** The SPEC's SessionView: what clients may see of a session (no secret, no hash), as the wire contract defines it. */
export type { SessionView };

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
    // Loose on purpose: a record from before the field existed lacks it.
    sso: s.sso ? { provider: s.sso.provider, label: s.sso.label } : null,
    browserId: s.browserId ?? null,
  };
}

/** Current first, then most recently active. */
export function orderSessions(sessions: SessionRecord[], currentId: string | null): SessionRecord[] {
  return [...sessions].sort((a, b) => (a.id === currentId ? -1 : b.id === currentId ? 1 : b.lastActiveAt - a.lastActiveAt));
}
