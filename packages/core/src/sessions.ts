import type { Clock } from './clock.ts';
import { passedDeadline, initialDeadlines, purgeAtFor, slideIdle } from './deadlines.ts';
import { plural } from './duration.ts';
import { deviceChanged, parseDevice } from './user-agent.ts';
import { SessiondError } from './errors.ts';
import { recordEnded, sessionEvent } from './events.ts';
import { ipPrefix } from './ip.ts';
import { newDeviceSignIn } from './new-device.ts';
import { endReasonMessage } from './reasons.ts';
import { policyFor, touchInterval, type CoreConfig, type SessionPolicy } from './policy.ts';
import { SessionCache } from './session-cache.ts';
import { orderSessions, sessionView } from './view.ts';
import type { Counters, EventLog, SessionLimit, SessionStore } from './store.ts';
import { formatToken, hashSecret, parseToken, randomId, randomSecret, secretMatches } from './tokens.ts';
import type { AuthMethod, EndDetail, EndReason, Location, SessionPatch, SessionRecord, SsoLink } from './types.ts';

/** Who is asking: taken from the request by the server, already trusted-proxy aware. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
  /** Status polls and background work do not count as activity. */
  passive: boolean;
  /**
   * Set when an app's backend relayed `ip` and `userAgent` for the person with its app key: the
   * app of that key, whose sessions alone it may speak for (SPEC §9).
   */
  relayedFor?: string;
}

export interface StartInput {
  userId: string;
  app: string;
  rememberMe: boolean;
  mode: 'cookie' | 'token';
  ip: string | null;
  userAgent: string | null;
  trustedDeviceId: string | null;
  /** The app key that starts it through the admin API: its ceiling spares other apps' sessions. */
  appKeyId: string | null;
  /** What this sign-in checked (`amr`); null when sessiond checked nothing (the admin API). */
  authMethods: AuthMethod[] | null;
  /** Started through an identity provider (SPEC §15). */
  sso?: SsoLink | null;
  browserId: string | null;
}

export interface StartedSession {
  session: SessionRecord;
  /** The opaque session token; shown once, stored only as a hash. */
  token: string;
}

export type Locate = (ip: string) => Location | null;

export interface SessionServiceDeps {
  store: SessionStore & EventLog & Counters;
  clock: Clock;
  config: CoreConfig;
  locate?: Locate;
}

/** The session lifecycle: start, validate, slide, end. Speaks sessions, not HTTP. */
export class SessionService {
  readonly store: SessionStore & EventLog & Counters;
  readonly clock: Clock;
  readonly config: CoreConfig;
  readonly cache: SessionCache;
  private readonly locate: Locate;
  private readonly registeredApps: ReadonlySet<string>;
  private readonly unsubscribe: () => void;

  constructor(deps: SessionServiceDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.config = deps.config;
    this.locate = deps.locate ?? (() => null);
    this.registeredApps = new Set(deps.config.apps);
    this.cache = new SessionCache(deps.config.cacheSize, deps.config.cacheTtlMs);
    // Any event about a session, from any node, may have changed it: forget our copy.
    this.unsubscribe = this.store.subscribe((e) => {
      if (e.type === 'sessions.ended_all') this.cache.clear();
      else if (e.sessionId) this.cache.delete(e.sessionId);
    });
  }

  close(): void {
    this.unsubscribe();
  }

  /**
   * A session of an app no longer registered (removed from the configuration, or started before
   * apps were registered) has no policy it was meant to live under: validating or refreshing it
   * ends it, as revoked_by_admin, since the operator's change is what ended it.
   */
  isRegisteredApp(app: string): boolean {
    return this.registeredApps.has(app);
  }

  policy(app: string): SessionPolicy {
    return policyFor(this.config, app);
  }

  async start(input: StartInput): Promise<StartedSession> {
    const now = this.clock.now();
    const policy = this.policy(input.app);
    const deadlines = initialDeadlines(policy, input.rememberMe, now);
    const location = input.ip ? this.locate(input.ip) : null;
    const secret = randomSecret();
    const session: SessionRecord = {
      id: randomId(),
      tokenHash: hashSecret(secret),
      userId: input.userId,
      app: input.app,
      mode: input.mode,
      createdAt: now,
      authenticatedAt: now,
      // Never an empty list: "checked nothing" is null, so a token then carries no `amr` at all.
      authMethods: input.authMethods?.length ? [...input.authMethods] : null,
      lastActiveAt: now,
      ...deadlines,
      rememberMe: input.rememberMe,
      device: parseDevice(input.userAgent),
      ipFirst: input.ip,
      ipLast: input.ip,
      locationFirst: location,
      locationLast: location,
      trustedDeviceId: input.trustedDeviceId,
      appKeyId: input.appKeyId,
      // Only when set: a record without it reads as before in every store.
      ...(input.sso ? { sso: input.sso } : {}),
      browserId: input.browserId,
      refresh: null,
      endedAt: null,
      endReason: null,
      endDetail: null,
      purgeAt: purgeAtFor(deadlines, this.config.tombstoneTtlMs),
    };
    const by = { byDevice: session.device.label, bySessionId: session.id };
    const ceiling = this.config.maxSessionsPerUser;
    const limit: SessionLimit = {
      max: policy.maxSessions,
      // Stores know evicting and refusing; a choice is a refusal core turns into a question.
      onMax: policy.onMaxSessions === 'evict_oldest' ? 'evict_oldest' : 'reject',
      now,
      ending: this.ending('concurrent_limit', now, { ...by, limit: policy.maxSessions }),
      // An app key may end only its own app's sessions to make room (SPEC §9: its own app only).
      ceiling: { max: ceiling, ending: this.ending('concurrent_limit', now, { ...by, accountLimit: ceiling }), ownAppOnly: input.appKeyId !== null },
    };
    const result = await this.store.createSession(session, limit);
    if (!result.ok && result.accountLimit) {
      throw new SessiondError('concurrent_limit.account_full', { facts: { accountLimit: ceiling }, details: { accountLimit: ceiling } });
    }
    if (!result.ok && policy.onMaxSessions === 'choose') {
      throw new SessiondError('concurrent_limit.choose', {
        facts: { devices: plural(policy.maxSessions, 'device') },
        details: { limit: policy.maxSessions, sessions: orderSessions(result.active, null).map((s) => sessionView(s, policy, null)) },
      });
    }
    if (!result.ok) {
      const oldest = [...result.active].sort((a, b) => a.lastActiveAt - b.lastActiveAt)[0];
      throw new SessiondError(oldest ? 'concurrent_limit.full_oldest' : 'concurrent_limit.full', {
        facts: { devices: plural(policy.maxSessions, 'device'), oldest: oldest?.device.label ?? '' },
        details: { limit: policy.maxSessions, sessions: result.active.map((s) => ({ id: s.id, device: s.device.label, lastActiveAt: new Date(s.lastActiveAt).toISOString() })) },
      });
    }
    for (const evicted of result.evicted) await recordEnded(this.store, evicted);
    const newDevice = await newDeviceSignIn(this.store, session);
    await this.store.recordEvent(
      sessionEvent('session.started', session, now, { data: { device: session.device.label, rememberMe: session.rememberMe, mode: session.mode, newDevice, ...(session.sso ? { sso: session.sso.provider } : {}) } }),
    );
    return { session, token: formatToken(session.id, secret) };
  }

  /** Finds the session a token names, or explains precisely why there is none. */
  async validateToken(token: string, ctx: RequestContext): Promise<SessionRecord> {
    const parsed = parseToken(token);
    // Not even shaped like a token sessiond issues (truncated, re-encoded, rewritten by an
    // extension): the browser is told its copy was damaged, not that a session ended.
    if (!parsed) throw new SessiondError('invalid_token.damaged', { details: { credential: 'damaged' } });
    const session = await this.load(parsed.id);
    // A record found by id proves nothing until the secret matches: the id is public.
    if (!session || !secretMatches(parsed.secret, session.tokenHash)) throw new SessiondError('invalid_token');
    return this.check(session, ctx);
  }

  /** For credentials already verified elsewhere (access JWTs): checks the session itself. */
  async validateById(id: string, ctx: RequestContext): Promise<SessionRecord> {
    const session = await this.load(id);
    if (!session) throw new SessiondError('invalid_token');
    return this.check(session, ctx);
  }

  private async load(id: string): Promise<SessionRecord | null> {
    const now = this.clock.now();
    const cached = this.cache.get(id, now);
    if (cached) return cached;
    const generation = this.cache.generation;
    const found = await this.store.findSession(id);
    if (found) this.cache.set(found, now, generation);
    return found;
  }

  private async check(found: SessionRecord, ctx: RequestContext): Promise<SessionRecord> {
    // Before anything is recorded: another app's key must not set this session's address or device.
    if (ctx.relayedFor !== undefined && ctx.relayedFor !== found.app) throw new SessiondError('forbidden.relay_other_app', { facts: { app: ctx.relayedFor }, details: { field: 'X-Sessiond-App-Key' } });
    let session = found;
    const now = this.clock.now();
    if (session.endedAt !== null) throw this.endedError(session);
    if (passedDeadline(session, now)) {
      // Another node may have slid the deadline since we cached it: ask the store before ending.
      const fresh = await this.store.findSession(session.id);
      if (!fresh) throw new SessiondError('invalid_token');
      if (fresh.endedAt !== null) throw this.endedError(fresh);
      session = fresh;
      const passed = passedDeadline(session, now);
      if (passed) throw this.endedError(await this.endAt(session, passed.reason, passed.at, { timeoutMs: passed.timeoutMs }));
    }
    if (!this.isRegisteredApp(session.app)) throw this.endedError(await this.endAt(session, 'revoked_by_admin', now));
    const patch: SessionPatch = {};
    const policy = this.policy(session.app);
    if (ctx.ip && ctx.ip !== session.ipLast) {
      if (policy.bindIp === 'strict' || (policy.bindIp === 'subnet' && session.ipFirst && ipPrefix(ctx.ip, 48) !== ipPrefix(session.ipFirst, 48))) {
        throw this.endedError(await this.endAt(session, 'ip_changed', now));
      }
      patch.ipLast = ctx.ip;
      patch.locationLast = this.locate(ctx.ip);
      await this.store.recordEvent(sessionEvent('session.ip_changed', session, now, { ip: ctx.ip, data: { from: session.ipLast, to: ctx.ip } }));
    }
    // Parsing a User-Agent costs more than comparing it: parse only when the text differs.
    if (ctx.userAgent && ctx.userAgent !== session.device.userAgent) {
      const device = parseDevice(ctx.userAgent);
      if (deviceChanged(session.device, device)) {
        if (policy.bindDevice === 'strict') throw this.endedError(await this.endAt(session, 'device_changed', now));
        await this.store.recordEvent(sessionEvent('session.device_changed', session, now, { data: { from: session.device.label, to: device.label } }));
      }
      patch.device = device;
    }
    if (!ctx.passive && now - session.lastActiveAt >= touchInterval(session.idleTimeoutMs)) {
      patch.lastActiveAt = now;
      patch.idleExpiresAt = slideIdle(session, now);
    }
    if (Object.keys(patch).length > 0) session = await this.apply(session, patch);
    return session;
  }

  /** Writes a patch and keeps the cached copy in step; an ending that won the race is reported. */
  private async apply(session: SessionRecord, patch: SessionPatch): Promise<SessionRecord> {
    const next: SessionRecord = { ...session, ...patch };
    if (patch.idleExpiresAt !== undefined) next.purgeAt = purgeAtFor(next, this.config.tombstoneTtlMs);
    if (next.purgeAt !== session.purgeAt) patch.purgeAt = next.purgeAt;
    if (!(await this.store.updateSession(session.id, patch))) {
      this.cache.delete(session.id);
      const current = await this.store.findSession(session.id);
      if (current?.endedAt != null) throw this.endedError(current);
      throw new SessiondError('invalid_token');
    }
    this.cache.update(next);
    return next;
  }

  /** "Stay signed in": activity now, written at once; never moves the absolute deadline. */
  async extend(session: SessionRecord): Promise<SessionRecord> {
    const now = this.clock.now();
    const next = await this.apply(session, { lastActiveAt: now, idleExpiresAt: slideIdle(session, now) });
    await this.store.recordEvent(sessionEvent('session.extended', next, now, { data: { idleExpiresAt: next.idleExpiresAt } }));
    return next;
  }

  /** Ends one session now; returns the ended record, or null when it had already ended. */
  async end(id: string, reason: EndReason, detail: EndDetail | null = null, at = this.clock.now()): Promise<SessionRecord | null> {
    const ended = await this.store.endSession(id, this.ending(reason, at, detail));
    if (ended) await this.afterEnd(ended);
    return ended;
  }

  private async endAt(session: SessionRecord, reason: EndReason, at: number, detail: EndDetail | null = null): Promise<SessionRecord> {
    const ended = await this.store.endSession(session.id, this.ending(reason, at, detail));
    if (ended) {
      await this.afterEnd(ended);
      return ended;
    }
    // Someone else ended it first: report their reason, not ours.
    return (await this.store.findSession(session.id)) ?? { ...session, endedAt: at, endReason: reason, endDetail: detail };
  }

  private async afterEnd(ended: SessionRecord): Promise<void> {
    this.cache.delete(ended.id);
    await recordEnded(this.store, ended);
  }

  ending(reason: EndReason, at: number, detail: EndDetail | null = null) {
    return { at, reason, detail, purgeAt: at + this.config.tombstoneTtlMs };
  }

  /** Ends the user's sessions (all, or all but one); one event each. */
  async endUserSessions(
    userId: string,
    reason: EndReason,
    opts: { exceptId?: string; trustedDeviceId?: string; app?: string; detail?: EndDetail | null } = {},
  ): Promise<SessionRecord[]> {
    const { detail = null, ...filter } = opts;
    const ended = await this.store.endUserSessions(userId, this.ending(reason, this.clock.now(), detail), filter);
    for (const s of ended) await this.afterEnd(s);
    return ended;
  }

  /** Global logout: every session of every user; one event for all. */
  async endAll(reason: EndReason): Promise<number> {
    const now = this.clock.now();
    const n = await this.store.endAllSessions(this.ending(reason, now));
    this.cache.clear();
    await this.store.recordEvent({ type: 'sessions.ended_all', at: now, userId: null, sessionId: null, ip: null, reason, data: { ended: n } });
    return n;
  }

  async list(userId: string): Promise<SessionRecord[]> {
    return this.store.listUserSessions(userId, this.clock.now());
  }

  /**
   * A new secret for the same session after the person authenticated again with `authMethods`
   * (re-authentication, password change): the old token stops working, and `auth_time`/`amr` of
   * later access tokens describe this authentication.
   */
  async renewToken(session: SessionRecord, authMethods: AuthMethod[]): Promise<{ session: SessionRecord; token: string }> {
    const secret = randomSecret();
    const now = this.clock.now();
    const next = await this.apply(session, {
      tokenHash: hashSecret(secret),
      authenticatedAt: now,
      authMethods: [...authMethods],
      lastActiveAt: now,
      idleExpiresAt: slideIdle(session, now),
    });
    this.cache.delete(session.id);
    return { session: next, token: formatToken(session.id, secret) };
  }

  /** Marks timed-out sessions ended (with events) and forgets expired tombstones, in batches. */
  async sweep(batch = 1000): Promise<{ timedOut: number; purged: number }> {
    let timedOut = 0;
    let purged = 0;
    for (;;) {
      const r = await this.store.sweep(this.clock.now(), { limit: batch, tombstoneTtlMs: this.config.tombstoneTtlMs });
      for (const s of r.timedOut) await this.afterEnd(s);
      timedOut += r.timedOut.length;
      purged += r.purged;
      if (r.timedOut.length < batch && r.purged < batch) return { timedOut, purged };
    }
  }

  /** session_ended with the reason's message for people, its numbers filled in. */
  endedError(s: SessionRecord): SessiondError {
    const reason = s.endReason ?? 'logged_out';
    const policy = this.policy(s.app);
    return new SessiondError('session_ended', {
      ending: endReasonMessage(reason, {
        detail: s.endDetail,
        idleTimeoutMs: s.idleTimeoutMs,
        absoluteTimeoutMs: policy.absoluteTimeoutMs,
        maxSessions: policy.maxSessions,
      }),
      reason,
      endedAt: s.endedAt ?? undefined,
      details: s.endDetail ? { ...s.endDetail } : undefined,
    });
  }
}
