import { AppKeys } from './app-keys.ts';
import type { Clock } from './clock.ts';
import { parseDevice } from './device.ts';
import { TrustedDevices } from './devices.ts';
import { SessiondError } from './errors.ts';
import { processFingerprint, type Fingerprint } from './fingerprint.ts';
import { sessionEvent } from './events.ts';
import { openGuard, type ReservedAttempt, type SignInGuard } from './guard.ts';
import { isPlausibleEmail, normalizeEmail, type PasswordHasher } from './passwords.ts';
import type { CoreConfig } from './policy.ts';
import { SessionService, type Locate, type StartedSession } from './sessions.ts';
import type { Store } from './store.ts';
import type { AuditEvent, SessionRecord, TrustedDeviceRecord, UserRecord } from './types.ts';
import { UserService } from './users.ts';

export interface SessiondDeps {
  store: Store;
  clock: Clock;
  config: CoreConfig;
  passwords: PasswordHasher;
  locate?: Locate;
  guard?: SignInGuard;
  /** Names unknown typed emails in the audit log; give every node of a store the same (see keyedFingerprint). */
  fingerprint?: Fingerprint;
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
  step?: 'reauth' | 'password_change' | 'totp_enable' | 'totp_disable';
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
  private readonly fingerprint: Fingerprint;

  constructor(deps: SessiondDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.config = deps.config;
    this.guard = deps.guard ?? openGuard;
    this.fingerprint = deps.fingerprint ?? processFingerprint();
    this.sessions = new SessionService({ store: deps.store, clock: deps.clock, config: deps.config, locate: deps.locate });
    this.devices = new TrustedDevices(deps.store, deps.clock, deps.config.trustedDeviceTtlMs, deps.config.maxTrustedDevicesPerUser);
    this.users = new UserService(deps.store, deps.clock, deps.passwords, this.devices, deps.config.cacheTtlMs);
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
    const reserved = await this.reserve(input, null);
    let user: UserRecord | null;
    let known: TrustedDeviceRecord | null;
    let secondFactorNeeded: boolean;
    try {
      user = await this.users.checkPassword(input.email, input.password);
      if (!user) {
        await this.signInFailed(reserved, input, null, 'password');
        throw new SessiondError('invalid_credentials');
      }
      if (user.disabledAt !== null) {
        await this.signInFailed(reserved, input, user.id, 'disabled');
        throw new SessiondError('forbidden', { message: 'This account has been disabled. Please contact an administrator.' });
      }
      known = await this.devices.recognise(user.id, input.deviceToken);
      // A trusted browser stands in for the second factor only once one was checked on it. Loose
      // on purpose: a record from before the field existed lacks it, which means never.
      secondFactorNeeded = user.totpEnabled && known?.secondFactorAt == null;
      if (secondFactorNeeded) {
        // The password was right; asking for the code reveals nothing an attacker could not try.
        if (!input.totp) throw new SessiondError('totp_required');
        if (!(await this.users.checkSecondFactor(user, input.totp))) {
          await this.signInFailed(reserved, input, user.id, 'totp');
          throw new SessiondError('invalid_credentials', { message: 'That code is not correct. Enter the current code from your authenticator app.', details: { field: 'totp' } });
        }
      }
      await reserved.succeeded();
    } finally {
      await reserved.release();
    }
    // Needed and not thrown: it was checked, so this browser may stand in for it from now on.
    return this.startFor(user, input, known, secondFactorNeeded);
  }

  /**
   * Every check of a password or code is counted by the throttle before it happens, wherever it
   * happens; a refusal is audited.
   */
  private async reserve(attempt: Attempt, userId: string | null): Promise<ReservedAttempt> {
    try {
      return await this.guard.reserve(attempt.email, attempt.ip);
    } catch (e) {
      if (e instanceof SessiondError && e.code === 'rate_limited') {
        await this.store.recordEvent({ type: 'login.throttled', at: this.clock.now(), userId, sessionId: null, ip: attempt.ip, reason: null, data: await this.attemptData(attempt, userId) });
      }
      throw e;
    }
  }

  private async attemptData(attempt: Attempt, userId: string | null): Promise<Record<string, unknown>> {
    return { email: await this.auditedEmail(attempt.email, userId), ...(attempt.step ? { step: attempt.step } : {}) };
  }

  /**
   * What was typed into the email field, kept only when it is an account's email: a password typed
   * there (or a stranger's address) must not land in the audit log. Anything else becomes its keyed
   * fingerprint, which still groups repeated attempts at one name and cannot be tested guesses against.
   */
  private async auditedEmail(typed: string, userId: string | null): Promise<string> {
    const email = normalizeEmail(typed);
    if (isPlausibleEmail(email) && (userId !== null || (await this.store.findUserByEmail(email)) !== null)) return email;
    return this.fingerprint(email);
  }

  private async signInFailed(reserved: ReservedAttempt, attempt: Attempt, userId: string | null, factor: string, type: 'login.failed' | 'totp.failed' = 'login.failed'): Promise<void> {
    await reserved.failed();
    await this.store.recordEvent({
      type,
      at: this.clock.now(),
      userId,
      sessionId: null,
      ip: attempt.ip,
      reason: null,
      data: { ...(await this.attemptData(attempt, userId)), factor },
    });
  }

  /** A new account; sign-ups are throttled per client, as each costs a password hash. */
  async signUp(email: string, password: string, ip: string | null): Promise<UserRecord> {
    const reserved = await this.guard.reserveSignUp(ip);
    try {
      const user = await this.users.create(email, password);
      await reserved.succeeded();
      return user;
    } catch (e) {
      // An email already taken was a real check (the enumeration the throttle bounds); bad input is given back.
      if (e instanceof SessiondError && e.code === 'email_taken') await reserved.failed();
      throw e;
    } finally {
      await reserved.release();
    }
  }

  /** Starts a session for a user already authenticated (here, or by the operator's own app). */
  async startFor(
    user: UserRecord,
    input: Pick<SignInInput, 'rememberMe' | 'app' | 'mode' | 'ip' | 'userAgent'>,
    knownDevice: TrustedDeviceRecord | null = null,
    secondFactorChecked = false,
  ): Promise<SignedIn> {
    this.requireRegisteredApp(input.app);
    let trustedDeviceId: string | null = null;
    let deviceToken: string | null = null;
    if (input.rememberMe) {
      const label = parseDevice(input.userAgent).label;
      const trusted = await this.devices.trust(user.id, label, knownDevice, secondFactorChecked);
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
    const reserved = await this.reserve(attempt, user.id);
    try {
      const ok = await this.users.checkPassword(user.email, password);
      if (!ok) {
        await this.signInFailed(reserved, attempt, user.id, 'password');
        throw new SessiondError('invalid_credentials', { message: 'That password is not correct.', details: { field: 'password' } });
      }
      if (user.totpEnabled) {
        if (!totp) throw new SessiondError('totp_required');
        if (!(await this.users.checkSecondFactor(user, totp))) {
          await this.signInFailed(reserved, attempt, user.id, 'totp');
          throw new SessiondError('invalid_credentials', { message: 'That code is not correct.', details: { field: 'totp' } });
        }
      }
      await reserved.succeeded();
    } finally {
      await reserved.release();
    }
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
    const reserved = await this.reserve(attempt, user.id);
    try {
      await this.users.changePassword(user, currentPassword, newPassword);
      await reserved.succeeded();
    } catch (e) {
      if (e instanceof SessiondError && e.code === 'invalid_credentials') await this.signInFailed(reserved, attempt, user.id, 'password');
      throw e;
    } finally {
      await reserved.release();
    }
    await this.sessions.endUserSessions(user.id, 'password_changed', { exceptId: current.id });
    const renewed = await this.sessions.renewToken(current);
    await this.store.recordEvent({ type: 'password.changed', at: this.clock.now(), userId: user.id, sessionId: current.id, ip: current.ipLast, reason: null, data: {} });
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
    const reserved = await this.reserve(attempt, user.id);
    try {
      const result = await run(user, () => this.signInFailed(reserved, attempt, user.id, 'totp', 'totp.failed'));
      await reserved.succeeded();
      return result;
    } finally {
      await reserved.release();
    }
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

  audit(query: { userId?: string; sessionId?: string; limit: number }): Promise<AuditEvent[]> {
    return this.store.listEvents(query);
  }
}
