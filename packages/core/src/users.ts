import type { Clock } from './clock.ts';
import type { TrustedDevices } from './trusted-devices.ts';
import { SessiondError } from './errors.ts';
import { isPlausibleEmail, normalizeEmail, PASSWORD_RULES, passwordProblem, type PasswordHasher } from './passwords.ts';
import type { EventLog, UserStore } from './store.ts';
import { randomId } from './tokens.ts';
import { findRecoveryCode, newRecoveryCodes } from './recovery-codes.ts';
import { newTotpSecret, totpCodeStep, totpUri } from './totp.ts';
import type { PublicUser } from '@sessiond/contract';
import type { UserRecord } from './types.ts';

/** What may be shown about a user (never the hash, never the TOTP secret), as the wire contract defines it. */
export type { PublicUser };

export function publicUser(u: UserRecord): PublicUser {
  return { id: u.id, email: u.email, createdAt: new Date(u.createdAt).toISOString(), totpEnabled: u.totpEnabled };
}

export class UserService {
  private dummyHash: Promise<string> | null = null;
  /** Public views for "who am I", re-read at least every cacheTtlMs and dropped on user events. */
  private readonly publicCache = new Map<string, { user: PublicUser; at: number }>();
  readonly unsubscribe: () => void;

  constructor(
    private readonly store: UserStore & EventLog,
    private readonly clock: Clock,
    private readonly passwords: PasswordHasher,
    private readonly devices: TrustedDevices,
    private readonly cacheTtlMs = 1000,
  ) {
    this.unsubscribe = store.subscribe((e) => {
      if (e.userId && (e.type === 'password.changed' || e.type.startsWith('totp.') || e.type === 'user.created')) this.publicCache.delete(e.userId);
    });
  }

  /** What a session's owner may see of themselves; the hot path of GET /v1/session. */
  async getPublic(id: string): Promise<PublicUser> {
    const now = this.clock.now();
    const hit = this.publicCache.get(id);
    if (hit && now - hit.at < this.cacheTtlMs) return hit.user;
    const user = publicUser(await this.get(id));
    if (this.publicCache.size >= 100_000) this.publicCache.clear();
    this.publicCache.set(id, { user, at: now });
    return user;
  }

  async create(emailInput: string, password: string): Promise<UserRecord> {
    const email = normalizeEmail(emailInput);
    if (!isPlausibleEmail(email)) throw new SessiondError('invalid_request.email', { details: { field: 'email' } });
    const problem = passwordProblem(password, email);
    if (problem) throw new SessiondError(problem, { facts: PASSWORD_RULES, details: { field: 'password' } });
    const now = this.clock.now();
    const user = newUser(email, await this.passwords.hash(password), now);
    await this.store.createUser(user);
    await this.store.recordEvent({ type: 'user.created', at: now, userId: user.id, sessionId: null, ip: null, reason: null, data: {} });
    return user;
  }

  /**
   * The account the operator's app knows as `externalId`, made on the first call (without a
   * password: the app authenticates the person and starts sessions for them). Idempotent: a later
   * call finds it. It never takes over an account: an email that another account has is 409
   * `email_taken`, and an email other than the account's is 409 `external_id_conflict` (the email
   * is not changed; an address changes hands only through a deliberate act, never a retry).
   */
  async findOrCreateByExternalId(externalId: string, emailInput: string | undefined): Promise<{ user: UserRecord; created: boolean }> {
    const email = emailInput === undefined ? undefined : normalizeEmail(emailInput);
    if (email !== undefined && !isPlausibleEmail(email)) throw new SessiondError('invalid_request.email', { details: { field: 'email' } });
    const found = await this.byExternalId(externalId, email);
    if (found) return { user: found, created: false };
    if (email === undefined) throw new SessiondError('invalid_request.missing_field', { facts: { field: 'email' }, details: { field: 'email', why: 'needed to create the account' } });
    const now = this.clock.now();
    const user = newUser(email, null, now, externalId);
    try {
      await this.store.createUser(user);
    } catch (e) {
      if (!(e instanceof SessiondError)) throw e;
      // Two first calls at once: the one that lost the race finds the winner's account (a store may
      // check the email before the external id, so the loser may hear either).
      if (e.code === 'external_id_conflict' || e.code === 'email_taken') {
        const winner = await this.byExternalId(externalId, email);
        if (winner) return { user: winner, created: false };
      }
      if (e.code === 'email_taken') throw new SessiondError('email_taken.external_id', { details: { field: 'email' } });
      throw e;
    }
    await this.store.recordEvent({ type: 'user.created', at: now, userId: user.id, sessionId: null, ip: null, reason: null, data: { externalId, passwordless: true } });
    return { user, created: true };
  }

  private async byExternalId(externalId: string, email: string | undefined): Promise<UserRecord | null> {
    const found = await this.store.findUserByExternalId(externalId);
    if (found && email !== undefined && found.email !== email) throw new SessiondError('external_id_conflict', { details: { field: 'email' } });
    return found;
  }

  async get(id: string): Promise<UserRecord> {
    const u = await this.store.findUserById(id);
    if (!u) throw new SessiondError('not_found.user');
    return u;
  }

  /**
   * The same answer and about the same time for an unknown email, an account without a password
   * and a wrong password: each costs one hash verification.
   */
  async checkPassword(emailInput: string, password: string): Promise<UserRecord | null> {
    const user = await this.store.findUserByEmail(normalizeEmail(emailInput));
    return (await this.verifyPassword(user?.passwordHash ?? null, password)) ? user : null;
  }

  /** A missing hash is checked against a dummy one, so its answer takes as long as a wrong password's. */
  private async verifyPassword(hash: string | null, password: string): Promise<boolean> {
    if (hash !== null) return this.passwords.verify(hash, password);
    this.dummyHash ??= this.passwords.hash('not-a-real-password-' + randomId());
    await this.passwords.verify(await this.dummyHash, password);
    return false;
  }

  /** A TOTP code or an unused recovery code (which is then consumed). */
  async checkSecondFactor(user: UserRecord, code: string): Promise<boolean> {
    if (!user.totpEnabled || !user.totpSecret) return true;
    const step = await totpCodeStep(user.totpSecret, code.replace(/\s/g, ''), this.clock.now(), user.totpLastStep);
    // Checked against the record as read, then used up atomically: of two requests with one code,
    // only the first to reach the store gets in.
    if (step !== null) return this.store.useSecondFactor(user.id, { totpStep: step });
    const i = findRecoveryCode(user.recoveryCodeHashes, code);
    if (i < 0) return false;
    return this.store.useSecondFactor(user.id, { recoveryCodeHash: user.recoveryCodeHashes[i]! });
  }

  async changePassword(user: UserRecord, current: string, next: string): Promise<UserRecord> {
    if (!(await this.verifyPassword(user.passwordHash, current))) {
      throw new SessiondError('invalid_credentials.current_password', { details: { field: 'currentPassword' } });
    }
    const problem = passwordProblem(next, user.email);
    if (problem) throw new SessiondError(problem, { facts: PASSWORD_RULES, details: { field: 'newPassword' } });
    const now = this.clock.now();
    const patch = { passwordHash: await this.passwords.hash(next), passwordChangedAt: now };
    await this.store.updateUser(user.id, patch);
    // A browser trusted under the old password must prove the new one.
    await this.devices.untrustAll(user.id, 'password_changed');
    return { ...user, ...patch };
  }

  async setupTotp(user: UserRecord): Promise<{ secret: string; otpauthUrl: string }> {
    if (user.totpEnabled) throw new SessiondError('invalid_request.totp_on_setup');
    const secret = newTotpSecret();
    await this.store.updateUser(user.id, { totpSecret: secret });
    return { secret, otpauthUrl: totpUri(secret, user.email) };
  }

  /** `wrongCode` runs before a wrong code is refused (the caller counts and audits it). */
  async enableTotp(user: UserRecord, code: string, wrongCode: () => Promise<void>): Promise<{ recoveryCodes: string[] }> {
    if (user.totpEnabled) throw new SessiondError('invalid_request.totp_already_on');
    if (!user.totpSecret) throw new SessiondError('invalid_request.totp_not_set_up');
    const step = await totpCodeStep(user.totpSecret, code, this.clock.now());
    if (step === null) {
      await wrongCode();
      throw new SessiondError('invalid_request.totp_setup_code', { details: { field: 'code' } });
    }
    const { codes, hashes } = newRecoveryCodes();
    await this.store.updateUser(user.id, { totpEnabled: true, recoveryCodeHashes: hashes, totpLastStep: step });
    // No browser trusted before has seen this factor: each must pass it once to skip it again.
    await this.devices.untrustAll(user.id, 'totp_enabled');
    await this.store.recordEvent({ type: 'totp.enabled', at: this.clock.now(), userId: user.id, sessionId: null, ip: null, reason: null, data: {} });
    return { recoveryCodes: codes };
  }

  async disableTotp(user: UserRecord, code: string, wrongCode: () => Promise<void>): Promise<void> {
    if (!user.totpEnabled) throw new SessiondError('invalid_request.totp_not_on');
    if (!(await this.checkSecondFactor(user, code))) {
      await wrongCode();
      throw new SessiondError('invalid_request.totp_code', { details: { field: 'code' } });
    }
    await this.store.updateUser(user.id, { totpEnabled: false, totpSecret: null, recoveryCodeHashes: [], totpLastStep: null });
    await this.store.recordEvent({ type: 'totp.disabled', at: this.clock.now(), userId: user.id, sessionId: null, ip: null, reason: null, data: {} });
  }
}

/** A new account as every way of making one starts it: no second factor, not disabled. */
export function newUser(email: string, passwordHash: string | null, now: number, externalId: string | null = null): UserRecord {
  return { id: randomId(), email, passwordHash, createdAt: now, passwordChangedAt: now, totpSecret: null, totpEnabled: false, recoveryCodeHashes: [], totpLastStep: null, disabledAt: null, externalId };
}
