import { AppKeys } from './app-keys.ts';
import type { Clock } from './clock.ts';
import { parseDevice } from './device.ts';
import { TrustedDevices } from './devices.ts';
import { SessiondError } from './errors.ts';
import { sessionEvent } from './events.ts';
import { openGuard, type SignInGuard } from './guard.ts';
import type { PasswordHasher } from './passwords.ts';
import type { CoreConfig } from './policy.ts';
import { SessionService, type Locate, type StartedSession } from './sessions.ts';
import type { Store } from './store.ts';
import type { AuditEvent, SessionRecord, UserRecord } from './types.ts';
import { UserService } from './users.ts';

export interface SessiondDeps {
  store: Store;
  clock: Clock;
  config: CoreConfig;
  passwords: PasswordHasher;
  locate?: Locate;
  guard?: SignInGuard;
}

export interface SignInInput {
  email: string;
  password: string;
  totp?: string;
  rememberMe: boolean;
  app: string;
  mode: 'cookie' | 'token';
  ip: string | null;
  userAgent: string | null;
  /** The trusted-device cookie this browser presented, if any. */
  deviceToken?: string | null;
}

/** Who is proving themselves, from where, and in which flow (for throttling and the audit log). */
interface Attempt {
  email: string;
  ip: string | null;
  step?: 'reauth' | 'password_change';
}

export interface SignedIn extends StartedSession {
  user: UserRecord;
  /** Set when this sign-in made the browser a trusted device: its new cookie value. */
  deviceToken: string | null;
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
  private readonly guard: SignInGuard;

  constructor(deps: SessiondDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.config = deps.config;
    this.guard = deps.guard ?? openGuard;
    this.sessions = new SessionService({ store: deps.store, clock: deps.clock, config: deps.config, locate: deps.locate });
    this.users = new UserService(deps.store, deps.clock, deps.passwords, deps.config.cacheTtlMs);
    this.devices = new TrustedDevices(deps.store, deps.clock, deps.config.trustedDeviceTtlMs);
    this.appKeys = new AppKeys(deps.store, deps.clock);
  }

  close(): void {
    this.sessions.close();
    this.appKeys.close();
    this.users.unsubscribe();
  }

  /** A client never picks a policy by inventing an app name: only registered apps get sessions. */
  requireRegisteredApp(app: string): void {
    if (!this.config.apps.includes(app)) {
      throw new SessiondError('invalid_request', { message: `"${app.slice(0, 64)}" is not a registered app.`, details: { field: 'app' } });
    }
  }

  async signIn(input: SignInInput): Promise<SignedIn> {
    // Before the password is even checked: a request for an unknown app is malformed, not an attempt.
    this.requireRegisteredApp(input.app);
    await this.guardBefore(input, null);
    const user = await this.users.checkPassword(input.email, input.password);
    if (!user) {
      await this.signInFailed(input, null, 'password');
      throw new SessiondError('invalid_credentials');
    }
    if (user.disabledAt !== null) {
      await this.signInFailed(input, user.id, 'disabled');
      throw new SessiondError('forbidden', { message: 'This account has been disabled. Please contact an administrator.' });
    }
    const known = await this.devices.recognise(user.id, input.deviceToken);
    if (user.totpEnabled && !known) {
      // The password was right; asking for the code reveals nothing an attacker could not try.
      if (!input.totp) throw new SessiondError('totp_required');
      if (!(await this.users.checkSecondFactor(user, input.totp))) {
        await this.signInFailed(input, user.id, 'totp');
        throw new SessiondError('invalid_credentials', { message: 'That code is not correct. Enter the current code from your authenticator app.', details: { field: 'totp' } });
      }
    }
    await this.guard.succeeded(input.email, input.ip);
    return this.startFor(user, input, known);
  }

  /** Every check of a password or code goes through the throttle, wherever it happens. */
  private async guardBefore(attempt: Attempt, userId: string | null): Promise<void> {
    try {
      await this.guard.before(attempt.email, attempt.ip);
    } catch (e) {
      if (e instanceof SessiondError && e.code === 'rate_limited') {
        await this.store.recordEvent({ type: 'login.throttled', at: this.clock.now(), userId, sessionId: null, ip: attempt.ip, reason: null, data: this.attemptData(attempt) });
      }
      throw e;
    }
  }

  private attemptData(attempt: Attempt): Record<string, unknown> {
    return { email: attempt.email.trim().toLowerCase().slice(0, 254), ...(attempt.step ? { step: attempt.step } : {}) };
  }

  private async signInFailed(attempt: Attempt, userId: string | null, factor: string): Promise<void> {
    await this.guard.failed(attempt.email, attempt.ip);
    await this.store.recordEvent({
      type: 'login.failed',
      at: this.clock.now(),
      userId,
      sessionId: null,
      ip: attempt.ip,
      reason: null,
      data: { ...this.attemptData(attempt), factor },
    });
  }

  /** Starts a session for a user already authenticated (here, or by the operator's own app). */
  async startFor(
    user: UserRecord,
    input: Pick<SignInInput, 'rememberMe' | 'app' | 'mode' | 'ip' | 'userAgent'>,
    knownDevice: Awaited<ReturnType<TrustedDevices['recognise']>> = null,
  ): Promise<SignedIn> {
    this.requireRegisteredApp(input.app);
    let trustedDeviceId: string | null = null;
    let deviceToken: string | null = null;
    if (input.rememberMe) {
      const label = parseDevice(input.userAgent).label;
      const trusted = await this.devices.trust(user.id, label, knownDevice);
      trustedDeviceId = trusted.device.id;
      deviceToken = trusted.token;
    }
    const started = await this.sessions.start({
      userId: user.id,
      app: input.app,
      rememberMe: input.rememberMe,
      mode: input.mode,
      ip: input.ip,
      userAgent: input.userAgent,
      trustedDeviceId,
    });
    return { ...started, user, deviceToken };
  }

  /**
   * Step-up: sensitive changes need a full authentication within the policy's freshness window,
   * so a session left open on someone else's screen cannot take over the account's factors.
   */
  requireFresh(current: SessionRecord): void {
    const freshnessMs = this.sessions.policy(current.app).freshnessMs;
    if (this.clock.now() - current.authenticatedAt > freshnessMs) {
      throw new SessiondError('reauth_required', { details: { authenticatedAt: new Date(current.authenticatedAt).toISOString(), freshnessMs } });
    }
  }

  /** Confirms the person again (password, and the code when two-factor is on); issues a new token. */
  async reauthenticate(current: SessionRecord, password: string, totp: string | undefined): Promise<{ session: SessionRecord; token: string }> {
    const user = await this.users.get(current.userId);
    // Throttled like a sign-in: a stolen session must not become a free password oracle.
    const attempt: Attempt = { email: user.email, ip: current.ipLast, step: 'reauth' };
    await this.guardBefore(attempt, user.id);
    const ok = await this.users.checkPassword(user.email, password);
    if (!ok) {
      await this.signInFailed(attempt, user.id, 'password');
      throw new SessiondError('invalid_credentials', { message: 'That password is not correct.', details: { field: 'password' } });
    }
    if (user.totpEnabled) {
      if (!totp) throw new SessiondError('totp_required');
      if (!(await this.users.checkSecondFactor(user, totp))) {
        await this.signInFailed(attempt, user.id, 'totp');
        throw new SessiondError('invalid_credentials', { message: 'That code is not correct.', details: { field: 'totp' } });
      }
    }
    await this.guard.succeeded(attempt.email, attempt.ip);
    // A new token on every authentication (ASVS 7.2.4): one captured before this is now useless.
    const renewed = await this.sessions.renewToken(current);
    await this.store.recordEvent(sessionEvent('session.reauthenticated', renewed.session, this.clock.now()));
    return renewed;
  }

  logout(current: SessionRecord): Promise<SessionRecord | null> {
    return this.sessions.end(current.id, 'logged_out');
  }

  /** Ends another session of the same user; optionally forgets the device it was trusted on. */
  async revokeSession(current: SessionRecord, targetId: string, forgetDevice: boolean): Promise<void> {
    // Step-up (ASVS 7.5.2): a stolen session must not be able to sign its owner out and stay.
    this.requireFresh(current);
    if (targetId === current.id) throw new SessiondError('current_session');
    const target = await this.store.findSession(targetId);
    // Someone else's session and a missing one look the same: no probing of ids.
    if (!target || target.userId !== current.userId || target.endedAt !== null) throw new SessiondError('not_found', { message: 'That session was not found. It may have ended already.' });
    const detail = { byDevice: current.device.label, bySessionId: current.id };
    await this.sessions.end(targetId, 'revoked', detail);
    if (forgetDevice && target.trustedDeviceId) await this.removeDevice(current.userId, target.trustedDeviceId, current);
  }

  async revokeOthers(current: SessionRecord): Promise<number> {
    this.requireFresh(current);
    const ended = await this.sessions.endUserSessions(current.userId, 'revoked', {
      exceptId: current.id,
      detail: { byDevice: current.device.label, bySessionId: current.id },
    });
    return ended.length;
  }

  async revokeAll(current: SessionRecord): Promise<number> {
    this.requireFresh(current);
    return (await this.sessions.endUserSessions(current.userId, 'revoked_all')).length;
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
    await this.guardBefore(attempt, user.id);
    try {
      await this.users.changePassword(user, currentPassword, newPassword);
    } catch (e) {
      if (e instanceof SessiondError && e.code === 'invalid_credentials') await this.signInFailed(attempt, user.id, 'password');
      throw e;
    }
    await this.guard.succeeded(attempt.email, attempt.ip);
    await this.sessions.endUserSessions(user.id, 'password_changed', { exceptId: current.id });
    const renewed = await this.sessions.renewToken(current);
    await this.store.recordEvent({ type: 'password.changed', at: this.clock.now(), userId: user.id, sessionId: current.id, ip: current.ipLast, reason: null, data: {} });
    return renewed;
  }

  /** ASVS 7.4.2: a disabled account cannot sign in, and every session it had ends now. */
  async setUserDisabled(userId: string, disabled: boolean): Promise<number> {
    await this.users.get(userId);
    await this.store.updateUser(userId, { disabledAt: disabled ? this.clock.now() : null });
    return disabled ? (await this.sessions.endUserSessions(userId, 'revoked_by_admin')).length : 0;
  }

  /** With `app`, only that app's sessions (an app key acts for its own app only). */
  async revokeUserSessionsAsAdmin(userId: string, app?: string): Promise<number> {
    await this.users.get(userId);
    return (await this.sessions.endUserSessions(userId, 'revoked_by_admin', app === undefined ? {} : { app })).length;
  }

  audit(query: { userId?: string; sessionId?: string; limit: number }): Promise<AuditEvent[]> {
    return this.store.listEvents(query);
  }
}
