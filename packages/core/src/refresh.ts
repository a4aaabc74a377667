import { createHmac } from 'node:crypto';
import type { Clock } from './clock.ts';
import { passedDeadline, purgeAtFor, slideIdle } from './deadlines.ts';
import { SessiondError } from './errors.ts';
import { sessionEvent } from './events.ts';
import type { SessionService } from './sessions.ts';
import { constantTimeEqual, formatToken, hashSecret, parseToken, randomSecret, secretMatches } from './tokens.ts';
import type { RefreshState, SessionPatch, SessionRecord } from './types.ts';

/**
 * How many generations back a presented token is recognised as an ancestor of the current one (so
 * its reuse ends the session even when a thief has rotated more than once). Each step is one HMAC
 * and one SHA-256 (~5 µs), and anyone who knows a session id can make us walk: keep it small.
 */
const ANCESTOR_DEPTH = 32;

export interface RefreshResult {
  session: SessionRecord;
  refreshToken: string;
}

/**
 * Refresh tokens for token mode: "<session id>.<secret>", stored only as SHA-256, rotated on every
 * use. The successor's secret is HMAC(server key, presented secret): every node can recompute it,
 * so a burst of refreshes with one token (two tabs, a retried request) all receive the same
 * successor within the grace, and no plaintext is ever stored. Reuse of the previous token after
 * the grace, or of an older one at any time, ends the whole session: someone else holds a copy.
 */
export class RefreshTokens {
  constructor(
    private readonly sessions: SessionService,
    private readonly clock: Clock,
    private readonly successorKey: Buffer,
    private readonly graceMs: number,
  ) {}

  private successor(secret: string): string {
    return createHmac('sha256', this.successorKey).update(secret).digest('base64url');
  }

  /** Is `secret` an earlier link of this session's chain, before the previous token? */
  private isAncestor(secret: string, state: RefreshState): boolean {
    if (state.previousHash === null) return false;
    let s = secret;
    for (let depth = 0; depth < Math.min(ANCESTOR_DEPTH, state.generation - 1); depth++) {
      s = this.successor(s);
      if (secretMatches(s, state.previousHash)) return true;
    }
    return false;
  }

  /** First refresh token of a session just started in token mode. */
  async issue(session: SessionRecord): Promise<RefreshResult> {
    const secret = randomSecret();
    const refresh = { hash: hashSecret(secret), previousHash: null, rotatedAt: null, generation: 0 };
    if (!(await this.sessions.store.updateSession(session.id, { refresh }))) throw new SessiondError('invalid_token');
    this.sessions.cache.delete(session.id);
    return { session: { ...session, refresh }, refreshToken: formatToken(session.id, secret) };
  }

  async refresh(token: string, opts: { passive: boolean; ip: string | null }): Promise<RefreshResult> {
    const parsed = parseToken(token);
    if (!parsed) throw new SessiondError('invalid_token');
    for (let attempt = 0; attempt < 3; attempt++) {
      // Never from the cache: rotation must see the latest state.
      const session = await this.sessions.store.findSession(parsed.id);
      const state = session?.refresh;
      if (!session || !state) throw new SessiondError('invalid_token');
      const hash = hashSecret(parsed.secret);
      const isCurrent = constantTimeEqual(hash, state.hash);
      const isPrevious = state.previousHash !== null && constantTimeEqual(hash, state.previousHash);
      // An unknown secret proves nothing: the session id is public, so it must not end anything.
      const isAncestor = !isCurrent && !isPrevious && this.isAncestor(parsed.secret, state);
      if (!isCurrent && !isPrevious && !isAncestor) throw new SessiondError('invalid_token');
      if (session.endedAt !== null) throw this.sessions.endedError(session);
      if (isAncestor) {
        // Older than the previous token: only a copy (or a confused client) can present it, and
        // the grace never covers it. OAuth 2.0 Security BCP §4.14: revoke the whole family.
        const ended = await this.sessions.end(session.id, 'refresh_token_reused');
        throw this.sessions.endedError(ended ?? (await this.sessions.store.findSession(session.id)) ?? session);
      }
      const now = this.clock.now();
      const passed = passedDeadline(session, now);
      if (passed) {
        const ended = await this.sessions.end(session.id, passed.reason, { timeoutMs: passed.timeoutMs }, passed.at);
        throw this.sessions.endedError(ended ?? (await this.sessions.store.findSession(session.id)) ?? session);
      }
      if (!this.sessions.isRegisteredApp(session.app)) {
        const ended = await this.sessions.end(session.id, 'revoked_by_admin');
        throw this.sessions.endedError(ended ?? (await this.sessions.store.findSession(session.id)) ?? session);
      }
      const next = formatToken(session.id, this.successor(parsed.secret));
      if (isPrevious) {
        if (state.rotatedAt !== null && now - state.rotatedAt <= this.graceMs) return { session, refreshToken: next };
        const ended = await this.sessions.end(session.id, 'refresh_token_reused');
        throw this.sessions.endedError(ended ?? (await this.sessions.store.findSession(session.id)) ?? session);
      }
      const patch: SessionPatch = {
        refresh: { hash: hashSecret(this.successor(parsed.secret)), previousHash: hash, rotatedAt: now, generation: state.generation + 1 },
      };
      if (!opts.passive) {
        patch.lastActiveAt = now;
        patch.idleExpiresAt = slideIdle(session, now);
        patch.purgeAt = purgeAtFor({ ...session, idleExpiresAt: patch.idleExpiresAt }, this.sessions.config.tombstoneTtlMs);
      }
      if (await this.sessions.store.rotateRefresh(session.id, hash, patch)) {
        const rotated = { ...session, ...patch };
        await this.sessions.store.recordEvent(sessionEvent('session.refreshed', rotated, now, { ip: opts.ip, data: { generation: patch.refresh!.generation } }));
        return { session: rotated, refreshToken: next };
      }
      // Another request rotated it first: look again; within the grace we answer the same successor.
    }
    throw new SessiondError('invalid_token');
  }
}
