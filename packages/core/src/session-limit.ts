import { isActive } from './deadlines.ts';
import type { SessionLimit } from './ports/sessions.ts';
import type { SessionEnding, SessionRecord } from './types.ts';

export type Admission =
  | { ok: true; evict: { session: SessionRecord; ending: SessionEnding }[] }
  | { ok: false; active: SessionRecord[]; accountLimit?: true };

/** Oldest first; the id breaks a tie so every store picks the same session. */
export function oldestFirst(a: SessionRecord, b: SessionRecord): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The concurrent-session rule, given the user's sessions (any, in any order) when `session` signs
 * in. Per app: when the new one would exceed `limit.max` (unless 0) active sessions of its app,
 * either the oldest of them end with `limit.ending`, or nothing happens and the sign-in is
 * rejected (`active`, oldest first). Then across apps: when it would exceed `limit.ceiling.max`,
 * the oldest of the rest end with `limit.ceiling.ending` — with `ownAppOnly` (a session an app key
 * starts), only the rest of its own app's, and when those are too few nothing happens and the
 * sign-in is refused (`accountLimit`), so one app can never end another's sessions. Every eviction
 * is decided before any is made. Stores run this inside the atomic step
 * that inserts the session (Redis in Lua, which the conformance suite checks against this).
 */
export function admitSession(session: Pick<SessionRecord, 'app'>, sessions: readonly SessionRecord[], limit: SessionLimit): Admission {
  const active = sessions.filter((s) => isActive(s, limit.now)).sort(oldestFirst);
  const evict: { session: SessionRecord; ending: SessionEnding }[] = [];
  if (limit.max > 0) {
    const ofApp = active.filter((s) => s.app === session.app);
    const excess = ofApp.length + 1 - limit.max;
    if (excess > 0 && limit.onMax === 'reject') return { ok: false, active: ofApp };
    for (const s of ofApp.slice(0, Math.max(0, excess))) evict.push({ session: s, ending: limit.ending });
  }
  if (limit.ceiling) {
    const left = active.filter((s) => !evict.some((e) => e.session.id === s.id));
    const excess = Math.max(0, left.length + 1 - limit.ceiling.max);
    const pool = limit.ceiling.ownAppOnly ? left.filter((s) => s.app === session.app) : left;
    if (excess > pool.length) return { ok: false, active: active.filter((s) => s.app === session.app), accountLimit: true };
    for (const s of pool.slice(0, excess)) evict.push({ session: s, ending: limit.ceiling.ending });
  }
  return { ok: true, evict };
}

/** Whether a limit needs the user's sessions read at all (the atomic step can be a plain insert otherwise). */
export function limitApplies(limit: SessionLimit | undefined): limit is SessionLimit {
  return !!limit && (limit.max > 0 || !!limit.ceiling);
}
