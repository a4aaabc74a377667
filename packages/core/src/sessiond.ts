import { randomBytes } from 'node:crypto';
import { ACTIVITY_TYPES, ACTIVITY_WINDOW_MS, activityItems, type ActivityItem } from './activity.ts';
import { AppKeys } from './app-keys.ts';
import { noThrottle, type AttemptThrottle } from './attempt-throttle.ts';
import { AuditedAttempts, type Attempt } from './audited-attempts.ts';
import type { Clock } from './clock.ts';
import { SessiondError } from './errors.ts';
import { sessionEvent } from './events.ts';
import type { Fingerprint } from './fingerprint.ts';
import type { PasswordHasher } from './passwords.ts';
import type { CoreConfig } from './policy.ts';
import { SessionData } from './session-data.ts';
import { SessionService, type Locate } from './sessions.ts';
import { SignIns, type ChoiceInput, type SignedIn, type SignInInput, type StartForInput } from './sign-in.ts';
import { SignInChoices } from './sign-in-choice.ts';
import { SsoAccounts } from './sso.ts';
import { requireFresh } from './step-up.ts';
import type { Store } from './store.ts';
import { TrustedDevices } from './trusted-devices.ts';
import type { AuditEvent, AuthMethod, SessionRecord, TrustedDeviceRecord, UserRecord } from './types.ts';
import { UserService } from './users.ts';

export interface SessiondDeps {
  store: Store;
  clock: Clock;
  config: CoreConfig;
  passwords: PasswordHasher;
  locate?: Locate;
  throttle?: AttemptThrottle;
  /** Names unknown typed emails in the audit log; give every node of a store the same (see keyedFingerprint). */
  fingerprint?: Fingerprint;
  /** Signs choice tokens at the device limit (sign-in-choice.ts); every node of a store needs the same. */
  choiceKey?: Uint8Array;
}

/** The whole domain behind one object: what the HTTP routes and the CLI call. */
export class Sessiond {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: CoreConfig;
  readonly sessions: SessionService;
  readonly users: UserService;
  readonly devices: TrustedDevices;
  readonly appKeys: AppKeys;
  /** Sign-in through identity providers and their logouts (SPEC §15). */
  readonly sso: SsoAccounts;
  readonly sessionData: SessionData;
  private readonly signIns: SignIns;
  private readonly attempts: AuditedAttempts;
  private readonly locate: Locate;

  constructor(deps: SessiondDeps) {
    this.locate = deps.locate ?? (() => null);
    this.store = deps.store;
    this.clock = deps.clock;
    this.config = deps.config;
    this.attempts = new AuditedAttempts(deps.store, deps.clock, deps.throttle ?? noThrottle, deps.fingerprint);
    this.sessions = new SessionService({ store: deps.store, clock: deps.clock, config: deps.config, locate: deps.locate });
    this.devices = new TrustedDevices(deps.store, deps.clock, deps.config.trustedDeviceTtlMs, deps.config.maxTrustedDevicesPerUser);
    this.users = new UserService(deps.store, deps.clock, deps.passwords, this.devices, deps.config.cacheTtlMs);
    this.appKeys = new AppKeys(deps.store, deps.clock);
    this.sso = new SsoAccounts(this);
    this.sessionData = new SessionData(deps.store, this.sessions, deps.clock, deps.config.tombstoneTtlMs);
    // A single process may make its own key; nodes sharing a store are given one (server.ts).
    const choices = new SignInChoices(deps.choiceKey ?? randomBytes(32), deps.store, deps.clock);
    this.signIns = new SignIns({ store: deps.store, clock: deps.clock, sessions: this.sessions, users: this.users, devices: this.devices, attempts: this.attempts, choices, sessionData: this.sessionData });
  }

  close(): void {
    this.sessions.close();
    this.appKeys.close();
    this.users.unsubscribe();
  }

  /** A client never picks a policy by inventing an app name: only registered apps get sessions. */
  requireRegisteredApp(app: string): void {
    this.signIns.requireRegisteredApp(app);
  }

  // Signing in, up and at the device limit live in sign-in.ts; these are its doors.
  signIn(input: SignInInput): Promise<SignedIn> {
    return this.signIns.signIn(input);
  }

  completeChoice(input: ChoiceInput): Promise<SignedIn> {
    return this.signIns.completeChoice(input);
  }

  signUp(email: string, password: string, ip: string | null): Promise<UserRecord> {
    return this.signIns.signUp(email, password, ip);
  }

  startFor(user: UserRecord, input: StartForInput, knownDevice: TrustedDeviceRecord | null = null, secondFactorChecked = false): Promise<SignedIn> {
    return this.signIns.startFor(user, input, knownDevice, secondFactorChecked);
  }

  startForUser(userId: string, input: Omit<StartForInput, 'authMethods'>): Promise<SignedIn> {
    return this.signIns.startForUser(userId, input);
  }

  /**
   * The app whose sessions `current` may see and end on the person's own routes: an app key's
   * session acts for its app only (SPEC §9), or one app's key would reach every app's sessions.
   * Undefined: every app (the person signed in here, or the operator started it).
   */
  private appScopeOf(current: SessionRecord): string | undefined {
    // Loose on purpose: a record from before the field existed lacks it.
    return current.appKeyId != null ? current.app : undefined;
  }

  /** Step-up (step-up.ts) under the policy of the session's app. */
  private requireFresh(current: SessionRecord): void {
    requireFresh(current, this.sessions.policy(current.app).freshnessMs, this.clock.now());
  }

  /** Two-step sign-in set-up: a new secret for the authenticator, behind step-up like every change of factors. */
  async setupTotp(current: SessionRecord): Promise<{ secret: string; otpauthUrl: string }> {
    this.requireFresh(current);
    return this.users.setupTotp(await this.users.get(current.userId));
  }

  /** Confirms the person again (password, and the code when two-factor is on); issues a new token. */
  async reauthenticate(current: SessionRecord, password: string, totp: string | undefined): Promise<{ session: SessionRecord; token: string }> {
    const user = await this.users.get(current.userId);
    // Throttled like a sign-in: a stolen session must not become a free password oracle.
    const attempt: Attempt = { email: user.email, ip: current.ipLast, step: 'reauth' };
    const methods = await this.attempts.run(attempt, user.id, async (fail): Promise<AuthMethod[]> => {
      if (!(await this.users.checkPassword(user.email, password))) {
        await fail(user.id, 'password');
        throw new SessiondError('invalid_credentials.password', { details: { field: 'password' } });
      }
      if (!user.totpEnabled) return ['pwd'];
      if (!totp) throw new SessiondError('totp_required');
      if (!(await this.users.checkSecondFactor(user, totp))) {
        await fail(user.id, 'totp');
        throw new SessiondError('invalid_credentials.reauth_totp', { details: { field: 'totp' } });
      }
      return ['pwd', 'otp'];
    });
    // A new token on every authentication (ASVS 7.2.4): one captured before this is now useless.
    const renewed = await this.sessions.renewToken(current, methods);
    await this.store.recordEvent(sessionEvent('session.reauthenticated', renewed.session, this.clock.now()));
    return renewed;
  }

  logout(current: SessionRecord): Promise<SessionRecord | null> {
    return this.sessions.end(current.id, 'logged_out');
  }

  /** The person's active sessions that `current` may see: every app's, or an app key's own app's. */
  async listSessions(current: SessionRecord): Promise<SessionRecord[]> {
    return this.sessionsOf(current.userId, this.appScopeOf(current));
  }

  /**
   * The person's own recent security history (SPEC §13), newest first: only events carrying their
   * user id, never older than 90 days; an app key's session sees its own app's only. `before`
   * pages on from an item's id.
   */
  async activity(current: SessionRecord, query: { limit: number; before?: string }): Promise<ActivityItem[]> {
    const since = this.clock.now() - ACTIVITY_WINDOW_MS;
    const scope = this.appScopeOf(current);
    const events = await this.store.listEvents({ userId: current.userId, types: ACTIVITY_TYPES, beforeId: query.before, limit: query.limit });
    const policy = this.sessions.policy(current.app);
    const items = activityItems(
      events.filter((e) => e.userId === current.userId && e.at >= since && (scope === undefined || e.data.app === scope)),
      { locate: this.locate, idleTimeoutMs: policy.idleTimeoutMs, absoluteTimeoutMs: policy.absoluteTimeoutMs },
    );
    return items;
  }

  /** The person's trusted devices that `current` may see: all, or an app key's session its own only. */
  async listDevices(current: SessionRecord): Promise<TrustedDeviceRecord[]> {
    return (await this.devices.list(current.userId)).filter((d) => this.reachesDevice(current, d.id));
  }

  private reachesDevice(current: SessionRecord, deviceId: string): boolean {
    return this.appScopeOf(current) === undefined || deviceId === current.trustedDeviceId;
  }

  /**
   * A live session for the operator's app to read or write its data: an app key reaches its own
   * app's sessions only. Ended, missing and another app's look the same (no probing of ids).
   */
  async liveSessionFor(id: string, app: string | undefined): Promise<SessionRecord> {
    try {
      const s = await this.sessions.validateById(id, { ip: null, userAgent: null, passive: true });
      if (app === undefined || s.app === app) return s;
    } catch (e) {
      if (!(e instanceof SessiondError && (e.code === 'session_ended' || e.code === 'invalid_token'))) throw e;
    }
    throw new SessiondError('not_found.session');
  }

  /** Ends another session of the same user; optionally forgets the device it was trusted on. */
  async revokeSession(current: SessionRecord, targetId: string, forgetDevice: boolean): Promise<void> {
    // Step-up (ASVS 7.5.2): a stolen session must not be able to sign its owner out and stay.
    this.requireFresh(current);
    if (targetId === current.id) throw new SessiondError('current_session');
    const target = await this.store.findSession(targetId);
    // Someone else's session and a missing one look the same: no probing of ids.
    const scope = this.appScopeOf(current);
    if (!target || target.userId !== current.userId || target.endedAt !== null || (scope !== undefined && target.app !== scope)) throw new SessiondError('not_found.session');
    const detail = { byDevice: current.device.label, bySessionId: current.id };
    await this.sessions.end(targetId, 'revoked', detail);
    if (forgetDevice && target.trustedDeviceId) await this.removeDevice(current.userId, target.trustedDeviceId, current);
  }

  /**
   * Ends every session of one of the person's browsers (one row of Active sessions), never this
   * browser's: the person signs out here with Sign out. A browser with none looks like a missing one.
   */
  async revokeBrowser(current: SessionRecord, browserId: string, forgetDevice = false): Promise<number> {
    this.requireFresh(current);
    if (current.browserId != null && browserId === current.browserId) throw new SessiondError('current_session');
    const targets = (await this.listSessions(current)).filter((s) => s.browserId === browserId && s.id !== current.id);
    if (targets.length === 0) throw new SessiondError('not_found.session');
    const detail = { byDevice: current.device.label, bySessionId: current.id };
    let ended = 0;
    for (const t of targets) if (await this.sessions.end(t.id, 'revoked', detail)) ended++;
    if (forgetDevice) for (const deviceId of new Set(targets.map((t) => t.trustedDeviceId).filter((d): d is string => d !== null))) await this.removeDevice(current.userId, deviceId, current);
    return ended;
  }

  async revokeOthers(current: SessionRecord): Promise<number> {
    this.requireFresh(current);
    const ended = await this.sessions.endUserSessions(current.userId, 'revoked', {
      exceptId: current.id,
      app: this.appScopeOf(current),
      detail: { byDevice: current.device.label, bySessionId: current.id },
    });
    return ended.length;
  }

  async revokeAll(current: SessionRecord): Promise<number> {
    this.requireFresh(current);
    const detail = { byDevice: current.device.label, bySessionId: current.id };
    return (await this.sessions.endUserSessions(current.userId, 'revoked_all', { app: this.appScopeOf(current), detail })).length;
  }

  /** The person forgets one of their trusted devices, behind step-up; another's device and a missing one look the same. */
  async forgetDevice(current: SessionRecord, deviceId: string): Promise<void> {
    this.requireFresh(current);
    if (!this.reachesDevice(current, deviceId) || !(await this.removeDevice(current.userId, deviceId, current))) throw new SessiondError('not_found.device');
  }

  /** Forgetting a trusted device also ends the sessions it kept signed in (never the caller's). */
  async removeDevice(userId: string, deviceId: string, current: SessionRecord | null): Promise<boolean> {
    const removed = await this.devices.remove(userId, deviceId);
    if (!removed) return false;
    await this.sessions.endUserSessions(userId, 'revoked', {
      trustedDeviceId: deviceId,
      ...(current ? { exceptId: current.id, detail: { byDevice: current.device.label, bySessionId: current.id } } : {}),
    });
    await this.store.recordEvent({ type: 'device.removed', at: this.clock.now(), userId, sessionId: current?.id ?? null, ip: null, reason: null, data: { deviceId } });
    return true;
  }

  /** Other sessions end (password_changed); this one continues under a new token. */
  async changePassword(current: SessionRecord, currentPassword: string, newPassword: string): Promise<{ session: SessionRecord; token: string }> {
    const user = await this.users.get(current.userId);
    // The current password is a re-authentication (so no step-up here), and throttled like one.
    const attempt: Attempt = { email: user.email, ip: current.ipLast, step: 'password_change' };
    await this.attempts.run(attempt, user.id, async (fail) => {
      try {
        await this.users.changePassword(user, currentPassword, newPassword);
      } catch (e) {
        if (e instanceof SessiondError && e.code === 'invalid_credentials') await fail(user.id, 'password');
        throw e;
      }
    });
    await this.sessions.endUserSessions(user.id, 'password_changed', { exceptId: current.id });
    // The current password was checked, nothing more: that is what `amr` says from now on.
    const renewed = await this.sessions.renewToken(current, ['pwd']);
    await this.store.recordEvent({ type: 'password.changed', at: this.clock.now(), userId: user.id, sessionId: current.id, ip: current.ipLast, reason: null, data: { app: current.app, device: current.device.label } });
    return renewed;
  }

  /** Turning two-step sign-in on checks a code from the new authenticator: throttled and audited like a sign-in. */
  enableTotp(current: SessionRecord, code: string): Promise<{ recoveryCodes: string[] }> {
    return this.checkingCode(current, 'totp_enable', (user, wrongCode) => this.users.enableTotp(user, code, wrongCode));
  }

  /** Turning it off checks a code too, so a stolen session cannot guess its way to removing it. */
  disableTotp(current: SessionRecord, code: string): Promise<void> {
    return this.checkingCode(current, 'totp_disable', (user, wrongCode) => this.users.disableTotp(user, code, wrongCode));
  }

  private async checkingCode<T>(current: SessionRecord, step: 'totp_enable' | 'totp_disable', run: (user: UserRecord, wrongCode: () => Promise<void>) => Promise<T>): Promise<T> {
    this.requireFresh(current);
    const user = await this.users.get(current.userId);
    const attempt: Attempt = { email: user.email, ip: current.ipLast, step };
    return this.attempts.run(attempt, user.id, (fail) => run(user, () => fail(user.id, 'totp', 'totp.failed')));
  }

  /** ASVS 7.4.2: a disabled account cannot sign in, and every session it had ends now. */
  async setUserDisabled(userId: string, disabled: boolean): Promise<number> {
    await this.users.get(userId);
    await this.store.updateUser(userId, { disabledAt: disabled ? this.clock.now() : null });
    if (!disabled) return 0;
    // Enabling the account again must not bring back browsers that skip its second factor.
    await this.devices.untrustAll(userId, 'account_disabled');
    return (await this.sessions.endUserSessions(userId, 'revoked_by_admin')).length;
  }

  /** With `app`, only that app's sessions (an app key acts for its own app only). */
  async revokeUserSessionsAsAdmin(userId: string, app?: string): Promise<number> {
    await this.users.get(userId);
    return (await this.sessions.endUserSessions(userId, 'revoked_by_admin', app === undefined ? {} : { app })).length;
  }

  /** A user's active sessions for the operator; with `app`, that app's only. */
  async userSessions(userId: string, app?: string): Promise<SessionRecord[]> {
    await this.users.get(userId);
    return this.sessionsOf(userId, app);
  }

  /** A user's active sessions, of one app when given. */
  private async sessionsOf(userId: string, app: string | undefined): Promise<SessionRecord[]> {
    const sessions = await this.sessions.list(userId);
    return app === undefined ? sessions : sessions.filter((s) => s.app === app);
  }

  /** With `app`, that app's session events only: never sign-in failures or another app's sessions. */
  async audit(query: { userId?: string; sessionId?: string; limit: number; app?: string }): Promise<AuditEvent[]> {
    const { app, ...filter } = query;
    const events = await this.store.listEvents(filter);
    return app === undefined ? events : events.filter((e) => e.data.app === app);
  }
}
