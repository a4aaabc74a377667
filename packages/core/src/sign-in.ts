import type { AuditedAttempts } from './audited-attempts.ts';
import type { Clock } from './clock.ts';
import { isActive } from './deadlines.ts';
import { SessiondError } from './errors.ts';
import type { SessionData } from './session-data.ts';
import type { SessionService, StartedSession } from './sessions.ts';
import type { SignInChoices } from './sign-in-choice.ts';
import type { Store } from './store.ts';
import type { TrustedDevices } from './trusted-devices.ts';
import type { AuthMethod, SsoLink, TrustedDeviceRecord, UserRecord } from './types.ts';
import { parseDevice } from './user-agent.ts';
import type { UserService } from './users.ts';

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
  /** sessiond's browser cookie (SPEC §13), if this sign-in came with one. */
  browserId?: string | null;
  /** The session that browser cookie says it held before: its data may carry over (SessionData.carryOver). */
  previousSessionId?: string | null;
}

/** Completing a sign-in refused at the device limit: the token it was given, and the session to end. */
export interface ChoiceInput {
  choiceToken: string;
  endSessionId: string;
  browserId: string | null;
  previousSessionId?: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Set when an app's backend relays this sign-in with its key: the choice must be for that app. */
  relayedFor?: string;
}

/** Where a session is for and who asks for it: what every way of starting one shares. */
export type SessionRequest = Pick<SignInInput, 'rememberMe' | 'app' | 'mode' | 'ip' | 'userAgent' | 'browserId' | 'previousSessionId'>;

/** `startFor`'s input: the request, how the person was authenticated, and who started it. */
export type StartForInput = SessionRequest & { startedBy?: { appKeyId: string | null }; authMethods: AuthMethod[] | null; sso?: SsoLink };

export interface SignedIn extends StartedSession {
  user: UserRecord;
  /** Set when this sign-in made the browser a trusted device: its new cookie value. */
  deviceToken: string | null;
}

/** What a password sign-in proved: used at once, or carried by the choice token to the device limit's second step. */
interface PasswordProof {
  user: UserRecord;
  knownDevice: TrustedDeviceRecord | null;
  secondFactorChecked: boolean;
}

export interface SignInDeps {
  store: Store;
  clock: Clock;
  sessions: SessionService;
  users: UserService;
  devices: TrustedDevices;
  attempts: AuditedAttempts;
  choices: SignInChoices;
  sessionData: SessionData;
}

/** Sign-up, sign-in and the choice at the device limit: every way a session starts goes through `startFor`. */
export class SignIns {
  constructor(private readonly d: SignInDeps) {}

  /** A client never picks a policy by inventing an app name: only registered apps get sessions. */
  requireRegisteredApp(app: string): void {
    if (!this.d.sessions.isRegisteredApp(app)) {
      throw new SessiondError('invalid_request.unknown_app', { facts: { app: app.slice(0, 64) }, details: { field: 'app' } });
    }
  }

  async signIn(input: SignInInput): Promise<SignedIn> {
    const { attempts, users, devices } = this.d;
    // Before the password is even checked: a request for an unknown app is malformed, not an attempt.
    this.requireRegisteredApp(input.app);
    const proof = await attempts.run(input, null, async (fail): Promise<PasswordProof> => {
      const user = await users.checkPassword(input.email, input.password);
      if (!user) {
        await fail(null, 'password');
        throw new SessiondError('invalid_credentials');
      }
      if (user.disabledAt !== null) {
        await fail(user.id, 'disabled');
        throw new SessiondError('forbidden.account_disabled');
      }
      const knownDevice = await devices.recognise(user.id, input.deviceToken);
      // A trusted browser stands in for the second factor only once one was checked on it. Loose
      // on purpose: a record from before the field existed lacks it, which means never.
      const secondFactorNeeded = user.totpEnabled && knownDevice?.secondFactorAt == null;
      if (secondFactorNeeded) {
        // The password was right; asking for the code reveals nothing an attacker could not try.
        if (!input.totp) throw new SessiondError('totp_required');
        if (!(await users.checkSecondFactor(user, input.totp))) {
          await fail(user.id, 'totp');
          throw new SessiondError('invalid_credentials.totp', { details: { field: 'totp' } });
        }
      }
      // Needed and not thrown: it was checked, so this browser may stand in for it from now on.
      return { user, knownDevice, secondFactorChecked: secondFactorNeeded };
    });
    return this.startAfterPassword(proof, input);
  }

  /**
   * Completes a sign-in refused at the device limit (`choose`): ends the session the person chose
   * (concurrent_limit, naming this device) and starts this one, with no second password prompt.
   * The token must be genuine, unexpired, unused and from the browser it was given to; the chosen
   * session must be one of that person's in that app. A chosen session that cannot be ended leaves
   * the token usable, so the person can pick another.
   */
  async completeChoice(input: ChoiceInput): Promise<SignedIn> {
    const { choices, store, clock, sessions } = this.d;
    const pending = choices.read(input.choiceToken, input.browserId);
    if (!pending) throw new SessiondError('invalid_credentials.choice', { details: { field: 'choiceToken' } });
    const user = await store.findUserById(pending.userId);
    if (!user || user.disabledAt !== null) throw new SessiondError('invalid_credentials.choice', { details: { field: 'choiceToken' } });
    if (input.relayedFor !== undefined && input.relayedFor !== pending.app) throw new SessiondError('forbidden.relay_other_app', { facts: { app: input.relayedFor }, details: { field: 'app' } });
    const target = await store.findSession(input.endSessionId);
    if (!target || target.userId !== user.id || target.app !== pending.app || !isActive(target, clock.now())) {
      throw new SessiondError('not_found.session', { details: { field: 'endSessionId' } });
    }
    if (!(await choices.use(pending.nonce))) throw new SessiondError('invalid_credentials.choice', { details: { field: 'choiceToken' } });
    const device = parseDevice(input.userAgent).label;
    await sessions.end(target.id, 'concurrent_limit', { byDevice: device, limit: sessions.policy(pending.app).maxSessions });
    const known = pending.trustedDeviceId ? await store.findTrustedDevice(pending.trustedDeviceId) : null;
    return this.startAfterPassword(
      { user, knownDevice: known?.userId === user.id ? known : null, secondFactorChecked: pending.secondFactorChecked },
      { app: pending.app, rememberMe: pending.rememberMe, mode: pending.mode, ip: input.ip, userAgent: input.userAgent, browserId: input.browserId, previousSessionId: input.previousSessionId },
    );
  }

  /**
   * The one way from a password sign-in (now, or after the choice) to its session. `amr` says what
   * was checked: a trusted browser that stood in for the second factor is no `otp` of this sign-in.
   */
  private startAfterPassword(proof: PasswordProof, request: SessionRequest): Promise<SignedIn> {
    const { rememberMe, app, mode, ip, userAgent, browserId, previousSessionId } = request;
    const authMethods: AuthMethod[] = proof.secondFactorChecked ? ['pwd', 'otp'] : ['pwd'];
    return this.startFor(proof.user, { rememberMe, app, mode, ip, userAgent, browserId, previousSessionId, authMethods }, proof.knownDevice, proof.secondFactorChecked);
  }

  /** A new account; sign-ups are throttled per client, as each costs a password hash. */
  async signUp(email: string, password: string, ip: string | null): Promise<UserRecord> {
    const reserved = await this.d.attempts.reserveSignUp(ip);
    try {
      const user = await this.d.users.create(email, password);
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

  /**
   * Starts a session for a user already authenticated (here, or by the operator's own app).
   * `startedBy`: the admin API started it (`appKeyId`: with that app key, else the admin token).
   * It gets no trusted device: that device's cookie would be handed to no browser.
   * `authMethods`: what was checked here (`['pwd']`, `['pwd', 'otp']`, `['sso']`); null when
   * sessiond checked nothing itself (the admin API), so its tokens claim no `amr` or `auth_time`.
   */
  async startFor(user: UserRecord, input: StartForInput, knownDevice: TrustedDeviceRecord | null = null, secondFactorChecked = false): Promise<SignedIn> {
    const { sessions, devices, choices, sessionData } = this.d;
    this.requireRegisteredApp(input.app);
    let trustedDeviceId: string | null = null;
    let deviceToken: string | null = null;
    if (input.rememberMe && !input.startedBy) {
      const label = parseDevice(input.userAgent).label;
      const trusted = await devices.trust(user.id, label, knownDevice, secondFactorChecked);
      trustedDeviceId = trusted?.device.id ?? null;
      deviceToken = trusted?.token ?? null;
    }
    const browserId = input.browserId ?? null;
    const start = {
      userId: user.id,
      app: input.app,
      rememberMe: input.rememberMe,
      mode: input.mode,
      ip: input.ip,
      userAgent: input.userAgent,
      trustedDeviceId,
      appKeyId: input.startedBy?.appKeyId ?? null,
      authMethods: input.authMethods,
      sso: input.sso ?? null,
      browserId,
    };
    let started: StartedSession;
    try {
      started = await sessions.start(start);
    } catch (e) {
      // At the device limit with `choose`: the person may pick a session to sign out, from this browser.
      if (e instanceof SessiondError && e.key === 'concurrent_limit.choose' && browserId !== null && !input.startedBy) {
        const choiceToken = choices.issue({ userId: user.id, app: input.app, rememberMe: input.rememberMe, mode: input.mode, browserId, trustedDeviceId: knownDevice?.id ?? null, secondFactorChecked });
        throw e.withDetails({ choiceToken });
      }
      throw e;
    }
    if (browserId !== null && input.previousSessionId) await sessionData.carryOver(started.session, input.previousSessionId, user);
    return { ...started, user, deviceToken };
  }

  /** A session the operator's own app starts for an account it vouches for; never for a disabled one. */
  async startForUser(userId: string, input: Omit<StartForInput, 'authMethods'>): Promise<SignedIn> {
    const user = await this.d.store.findUserById(userId);
    if (!user) throw new SessiondError('not_found.user');
    if (user.disabledAt !== null) throw new SessiondError('forbidden.user_disabled');
    // The operator's app vouches for the person; sessiond itself checked nothing.
    return this.startFor(user, { ...input, authMethods: null });
  }
}
