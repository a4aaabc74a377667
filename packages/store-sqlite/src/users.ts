import { SessiondError, type SecondFactorUse, type UserRecord, type UserStore } from '@sessiond/core';
import type { SqliteConnection } from './connection.ts';
import { guard, isEmailTaken, isExternalIdTaken } from './errors.ts';
import { passwordColumn, userFromRow, type UserPatch, type UserRow } from './rows.ts';

export class SqliteUsers implements UserStore {
  constructor(private readonly c: SqliteConnection) {}

  async createUser(u: UserRecord): Promise<void> {
    try {
      guard(() =>
        this.c.q.insertUser.run(
          u.id, u.email, passwordColumn(u.passwordHash), u.createdAt, u.passwordChangedAt, u.totpSecret, u.totpEnabled ? 1 : 0, JSON.stringify(u.recoveryCodeHashes), u.totpLastStep, u.disabledAt, u.externalId,
        ),
      );
    } catch (e) {
      if (isEmailTaken(e)) throw new SessiondError('email_taken');
      if (isExternalIdTaken(e)) throw new SessiondError('external_id_conflict');
      throw e;
    }
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    const r = guard(() => this.c.q.userById.get(id) as UserRow | undefined);
    return r ? userFromRow(r) : null;
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const r = guard(() => this.c.q.userByEmail.get(email) as UserRow | undefined);
    return r ? userFromRow(r) : null;
  }

  async findUserByExternalId(externalId: string): Promise<UserRecord | null> {
    const r = guard(() => this.c.q.userByExternalId.get(externalId) as UserRow | undefined);
    return r ? userFromRow(r) : null;
  }

  async updateUser(id: string, patch: UserPatch): Promise<void> {
    guard(() => this.c.q.updateUser.run(patch, id));
  }

  async useSecondFactor(id: string, use: SecondFactorUse): Promise<boolean> {
    const r = guard(() => ('totpStep' in use ? this.c.q.useTotpStep.run({ id, step: use.totpStep }) : this.c.q.useRecoveryCode.run({ id, hash: use.recoveryCodeHash })));
    return r.changes === 1;
  }
}
