import { SessiondError, type SecondFactorUse, type UserPatch, type UserRecord, type UserStore } from '@sessiond/core';
import { assignDefined, clone, type MemoryRecords } from './state.ts';

export class MemoryUsers implements UserStore {
  constructor(private readonly r: MemoryRecords) {}

  async createUser(user: UserRecord): Promise<void> {
    if (this.r.usersByEmail.has(user.email)) throw new SessiondError('email_taken');
    if (user.externalId !== null && this.r.usersByExternalId.has(user.externalId)) throw new SessiondError('external_id_conflict');
    this.r.users.set(user.id, clone(user));
    this.r.usersByEmail.set(user.email, user.id);
    if (user.externalId !== null) this.r.usersByExternalId.set(user.externalId, user.id);
  }
  async findUserByExternalId(externalId: string): Promise<UserRecord | null> {
    const id = this.r.usersByExternalId.get(externalId);
    return id ? this.findUserById(id) : null;
  }
  async findUserById(id: string): Promise<UserRecord | null> {
    const u = this.r.users.get(id);
    return u ? clone(u) : null;
  }
  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const id = this.r.usersByEmail.get(email);
    return id ? this.findUserById(id) : null;
  }
  async updateUser(id: string, patch: UserPatch): Promise<void> {
    const u = this.r.users.get(id);
    if (u) assignDefined(u, patch);
  }

  async useSecondFactor(id: string, use: SecondFactorUse): Promise<boolean> {
    const u = this.r.users.get(id);
    if (!u) return false;
    if ('totpStep' in use) {
      if (u.totpLastStep !== null && u.totpLastStep >= use.totpStep) return false;
      u.totpLastStep = use.totpStep;
      return true;
    }
    const i = u.recoveryCodeHashes.indexOf(use.recoveryCodeHash);
    if (i < 0) return false;
    u.recoveryCodeHashes = u.recoveryCodeHashes.filter((_, j) => j !== i);
    return true;
  }
}
