import { SessiondError, type SecondFactorUse, type UserPatch, type UserRecord, type UserStore } from '@sessiond/core';
import type { RedisConnection } from './connection.ts';

/** Each defined property as a JSON string, for a Redis hash. */
function fields(o: object): Record<string, string> {
  return Object.fromEntries(Object.entries(o).flatMap(([k, v]) => (v === undefined ? [] : [[k, JSON.stringify(v)]])));
}

export class RedisUsers implements UserStore {
  constructor(private readonly c: RedisConnection) {}

  async createUser(user: UserRecord): Promise<void> {
    const { redis, k } = this.c;
    const ok = await this.c.call(() => redis.set(k.email(user.email), user.id, 'NX'));
    if (ok !== 'OK') throw new SessiondError('email_taken');
    if (user.externalId !== null) {
      // The pointer is claimed after the email's, and the email given back when it is taken: of two
      // first calls for one external id, one account exists afterwards, and its email stays free.
      const claimed = await this.c.call(() => redis.set(k.externalId(user.externalId!), user.id, 'NX'));
      if (claimed !== 'OK') {
        await this.c.call(() => redis.del(k.email(user.email)));
        throw new SessiondError('external_id_conflict');
      }
    }
    await this.putUser(user);
  }

  /**
   * The account as a hash of JSON values, one field per property: an update sets only the fields
   * it changes, so two nodes changing different things (a TOTP step, an admin's disable) both land.
   */
  async putUser(user: UserRecord): Promise<void> {
    await this.c.call(() => this.c.redis.hset(this.c.k.user(user.id), fields(user)));
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    const h = await this.c.call(() => this.c.redis.hgetall(this.c.k.user(id)));
    if (!h.id) return null;
    const user = Object.fromEntries(Object.entries(h).map(([k, v]) => [k, JSON.parse(v)])) as UserRecord;
    // An account written before the field existed lacks it.
    user.externalId ??= null;
    return user;
  }

  async findUserByExternalId(externalId: string): Promise<UserRecord | null> {
    const id = await this.c.call(() => this.c.redis.get(this.c.k.externalId(externalId)));
    return id ? this.findUserById(id) : null;
  }

  async findUserByEmail(email: string): Promise<UserRecord | null> {
    const id = await this.c.call(() => this.c.redis.get(this.c.k.email(email)));
    return id ? this.findUserById(id) : null;
  }

  async updateUser(id: string, patch: UserPatch): Promise<void> {
    const set = Object.entries(fields(patch)).flat();
    if (set.length > 0) await this.c.call(() => this.c.redis.updateUser(this.c.k.user(id), ...set));
  }

  async useSecondFactor(id: string, use: SecondFactorUse): Promise<boolean> {
    const [kind, value] = 'totpStep' in use ? (['totp', String(use.totpStep)] as const) : (['recovery', use.recoveryCodeHash] as const);
    return (await this.c.call(() => this.c.redis.useSecondFactor(this.c.k.user(id), kind, value))) === 1;
  }
}
