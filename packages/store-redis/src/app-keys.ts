import type { AppKeyRecord, AppKeyStore, SigningKeyRecord, SigningKeyStore } from '@sessiond/core';
import type { RedisConnection } from './connection.ts';

type StoredAppKey = Omit<AppKeyRecord, 'lastUsedAt'>;

/** Signing keys (one hash by kid) and app keys (one hash, see `RedisKeys.appKeys`). */
export class RedisAppKeys implements SigningKeyStore, AppKeyStore {
  constructor(private readonly c: RedisConnection) {}

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    const values = await this.c.call(() => this.c.redis.hvals(this.c.k.signingKeys));
    return values.map((v) => JSON.parse(v) as SigningKeyRecord);
  }

  async saveSigningKey(key: SigningKeyRecord): Promise<void> {
    await this.c.call(() => this.c.redis.hset(this.c.k.signingKeys, key.kid, JSON.stringify(key)));
  }

  async createAppKey(key: AppKeyRecord): Promise<void> {
    const { lastUsedAt, ...record } = key;
    const f: Record<string, string> = { [`id:${key.id}`]: JSON.stringify(record), [`h:${key.secretHash}`]: key.id };
    if (lastUsedAt !== null) f[`u:${key.id}`] = String(lastUsedAt);
    await this.c.call(() => this.c.redis.hset(this.c.k.appKeys, f));
  }

  async listAppKeys(app: string): Promise<AppKeyRecord[]> {
    const all = await this.c.call(() => this.c.redis.hgetall(this.c.k.appKeys));
    const keys: AppKeyRecord[] = [];
    for (const [field, raw] of Object.entries(all)) {
      if (!field.startsWith('id:')) continue;
      const record = JSON.parse(raw) as StoredAppKey;
      const used = all[`u:${record.id}`];
      if (record.app === app) keys.push({ ...record, lastUsedAt: used === undefined ? null : Number(used) });
    }
    return keys.sort((a, b) => a.createdAt - b.createdAt);
  }

  async findAppKeyByHash(secretHash: string): Promise<AppKeyRecord | null> {
    const { redis, k } = this.c;
    const id = await this.c.call(() => redis.hget(k.appKeys, `h:${secretHash}`));
    if (id === null) return null;
    const [raw, used] = await this.c.call(() => redis.hmget(k.appKeys, `id:${id}`, `u:${id}`));
    return raw ? { ...(JSON.parse(raw) as StoredAppKey), lastUsedAt: used ? Number(used) : null } : null;
  }

  async deleteAppKey(app: string, id: string): Promise<boolean> {
    const { redis, k } = this.c;
    const raw = await this.c.call(() => redis.hget(k.appKeys, `id:${id}`));
    if (!raw) return false;
    const record = JSON.parse(raw) as AppKeyRecord;
    if (record.app !== app) return false;
    // One HDEL: the record, its hash pointer and lastUsedAt go together; a racing delete removes 0.
    return (await this.c.call(() => redis.hdel(k.appKeys, `id:${id}`, `h:${record.secretHash}`, `u:${id}`))) > 0;
  }

  async touchAppKey(id: string, lastUsedAt: number): Promise<void> {
    await this.c.call(() => this.c.redis.touchAppKey(this.c.k.appKeys, id, String(lastUsedAt)));
  }
}
