import { SessiondError, type SecondFactorUse, type UserPatch, type UserRecord, type UserStore } from '@sessiond/core';
import type { PgConnection } from './connection.ts';

const COLUMNS: Record<string, [string, (v: unknown) => unknown]> = {
  passwordHash: ['password_hash', (v) => v],
  passwordChangedAt: ['password_changed_at', (v) => v],
  totpSecret: ['totp_secret', (v) => v],
  totpEnabled: ['totp_enabled', (v) => v],
  recoveryCodeHashes: ['recovery_code_hashes', (v) => JSON.stringify(v)],
  totpLastStep: ['totp_last_step', (v) => v],
  disabledAt: ['disabled_at', (v) => v],
};

function userFrom(r: Record<string, unknown>): UserRecord {
  return {
    id: r.id as string,
    email: r.email as string,
    passwordHash: (r.password_hash as string | null) ?? null,
    createdAt: r.created_at as number,
    passwordChangedAt: r.password_changed_at as number,
    totpSecret: (r.totp_secret as string | null) ?? null,
    totpEnabled: r.totp_enabled as boolean,
    recoveryCodeHashes: r.recovery_code_hashes as string[],
    totpLastStep: (r.totp_last_step as number | null) ?? null,
    disabledAt: (r.disabled_at as number | null) ?? null,
    externalId: (r.external_id as string | null) ?? null,
  };
}

export class PgUsers implements UserStore {
  constructor(private readonly c: PgConnection) {}

  async createUser(u: UserRecord): Promise<void> {
    try {
      await this.c.q(
        'INSERT INTO users (id, email, password_hash, created_at, password_changed_at, totp_secret, totp_enabled, recovery_code_hashes, totp_last_step, disabled_at, external_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)',
        [u.id, u.email, u.passwordHash, u.createdAt, u.passwordChangedAt, u.totpSecret, u.totpEnabled, JSON.stringify(u.recoveryCodeHashes), u.totpLastStep, u.disabledAt, u.externalId],
      );
    } catch (e) {
      const err = e as { code?: string; constraint?: string };
      if (err.code === '23505' && err.constraint === 'users_external_id') throw new SessiondError('external_id_conflict');
      if (err.code === '23505') throw new SessiondError('email_taken');
      throw e;
    }
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    const r = await this.c.q('SELECT * FROM users WHERE id = $1', [id], 'user_by_id');
    return r.rows[0] ? userFrom(r.rows[0]) : null;
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const r = await this.c.q('SELECT * FROM users WHERE email = $1', [email], 'user_by_email');
    return r.rows[0] ? userFrom(r.rows[0]) : null;
  }

  async findUserByExternalId(externalId: string): Promise<UserRecord | null> {
    const r = await this.c.q('SELECT * FROM users WHERE external_id = $1', [externalId], 'user_by_external_id');
    return r.rows[0] ? userFrom(r.rows[0]) : null;
  }

  async useSecondFactor(id: string, use: SecondFactorUse): Promise<boolean> {
    const r =
      'totpStep' in use
        ? await this.c.q('UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)', [id, use.totpStep])
        : await this.c.q('UPDATE users SET recovery_code_hashes = recovery_code_hashes - $2::text WHERE id = $1 AND recovery_code_hashes ? $2', [id, use.recoveryCodeHash]);
    return r.rowCount === 1;
  }

  async updateUser(id: string, patch: UserPatch): Promise<void> {
    const sets: string[] = [];
    const values: unknown[] = [id];
    for (const [k, v] of Object.entries(patch)) {
      const c = COLUMNS[k];
      if (!c || v === undefined) continue;
      values.push(c[1](v));
      sets.push(`${c[0]} = $${values.length}`);
    }
    if (sets.length) await this.c.q(`UPDATE users SET ${sets.join(', ')} WHERE id = $1`, values);
  }
}
