import type { Clock } from './clock.ts';
import { passedDeadline } from './deadlines.ts';
import { SessiondError } from './errors.ts';
import type { SessionService } from './sessions.ts';
import type { SessionDataStore, SessionStore } from './store.ts';
import type { EndReason, SessionRecord, UserRecord } from './types.ts';

/** The most a session's data may hold, as JSON text (SPEC §13). */
export const SESSION_DATA_MAX_BYTES = 16 * 1024;

/** Only a session that ran out of time hands its data on: every other ending was someone's decision. */
const CARRIED: ReadonlySet<EndReason> = new Set(['idle_timeout', 'absolute_timeout']);

export interface SessionDataView {
  data: unknown;
  version: number;
}

/**
 * A session's own server-side data (a cart, a half-done checkout): read, written under a version
 * (compare-and-set, so two tabs never overwrite each other unseen), and carried into the next
 * session of the same person from the same browser and app when this one timed out.
 */
export class SessionData {
  constructor(
    private readonly store: SessionDataStore & SessionStore,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
    private readonly tombstoneTtlMs: number,
  ) {}

  async read(s: SessionRecord): Promise<SessionDataView> {
    const stored = await this.store.readSessionData(s.id);
    return stored ? { data: JSON.parse(stored.data) as unknown, version: stored.version } : { data: null, version: 0 };
  }

  /** Writes over `ifMatch`, the version the writer read; answers the new version. */
  async write(s: SessionRecord, data: unknown, ifMatch: number): Promise<number> {
    const text = JSON.stringify(data);
    if (new TextEncoder().encode(text).length > SESSION_DATA_MAX_BYTES) throw new SessiondError('invalid_request.session_data_too_large', { details: { field: 'data' } });
    const version = await this.store.writeSessionData(s.id, text, ifMatch, this.keepUntil(s));
    if (version !== null) return version;
    // Refused: the session ended meanwhile (say why), or someone wrote first (say which version is current).
    const found = await this.store.findSession(s.id);
    if (found?.endedAt != null) throw this.sessions.endedError(found);
    const current = (await this.store.readSessionData(s.id))?.version ?? 0;
    throw new SessiondError('version_conflict', { details: { version: current } });
  }

  /**
   * Hands the data of `previousId` (the session this browser held before) to `next` when the same
   * person signs in again from the same browser to the same app, within the tombstone TTL, after
   * that session ran out of time, and the password has not changed since. Never otherwise: not
   * after a sign-out, a revocation or a password change, and never to someone else.
   */
  async carryOver(next: SessionRecord, previousId: string, user: UserRecord): Promise<boolean> {
    let prev = await this.store.findSession(previousId);
    if (!prev || prev.id === next.id || prev.userId !== next.userId || prev.userId !== user.id || prev.app !== next.app) return false;
    if (prev.browserId == null || prev.browserId !== next.browserId) return false;
    const now = this.clock.now();
    if (prev.endedAt === null) {
      // Past its deadline but not yet swept: end it as a timeout now, with its event, as a request would.
      const passed = passedDeadline(prev, now);
      if (!passed) return false;
      prev = (await this.sessions.end(prev.id, passed.reason, { timeoutMs: passed.timeoutMs }, passed.at)) ?? (await this.store.findSession(prev.id));
      if (!prev || prev.endedAt === null) return false;
    }
    if (!prev.endReason || !CARRIED.has(prev.endReason) || now - prev.endedAt > this.tombstoneTtlMs || user.passwordChangedAt > prev.endedAt) return false;
    const stored = await this.store.readSessionData(prev.id);
    if (!stored) return false;
    return (await this.store.writeSessionData(next.id, stored.data, 0, this.keepUntil(next))) !== null;
  }

  /** The most the record may live: its absolute deadline plus the tombstone TTL. */
  private keepUntil(s: SessionRecord): number {
    return s.absoluteExpiresAt + this.tombstoneTtlMs;
  }
}
