import type { AppKeyRecord, AppKeyStore, SigningKeyRecord, SigningKeyStore } from '@sessiond/core';
import type { SqliteConnection } from './connection.ts';
import { guard } from './errors.ts';

type AppKeyRow = { record: string; last_used_at: number | null };
/** lastUsedAt has its own column so that a touch rewrites one integer, not the record. */
const appKeyFromRow = (r: AppKeyRow): AppKeyRecord => ({ ...(JSON.parse(r.record) as AppKeyRecord), lastUsedAt: r.last_used_at });

/** Signing keys and app keys. */
export class SqliteKeys implements SigningKeyStore, AppKeyStore {
  constructor(private readonly c: SqliteConnection) {}

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    const rows = guard(() => this.c.q.signingKeys.all() as { record: string }[]);
    return rows.map((r) => JSON.parse(r.record) as SigningKeyRecord);
  }

  async saveSigningKey(key: SigningKeyRecord): Promise<void> {
    guard(() => this.c.q.saveSigningKey.run(key.kid, JSON.stringify(key)));
  }

  async createAppKey(key: AppKeyRecord): Promise<void> {
    guard(() => this.c.q.insertAppKey.run(key.id, key.app, key.secretHash, JSON.stringify(key), key.lastUsedAt));
  }

  async listAppKeys(app: string): Promise<AppKeyRecord[]> {
    return (guard(() => this.c.q.appKeysOf.all(app)) as AppKeyRow[]).map(appKeyFromRow);
  }

  async findAppKeyByHash(secretHash: string): Promise<AppKeyRecord | null> {
    const row = guard(() => this.c.q.appKeyByHash.get(secretHash)) as AppKeyRow | undefined;
    return row ? appKeyFromRow(row) : null;
  }

  async deleteAppKey(app: string, id: string): Promise<boolean> {
    return guard(() => this.c.q.deleteAppKey.run(id, app)).changes > 0;
  }

  async touchAppKey(id: string, lastUsedAt: number): Promise<void> {
    guard(() => this.c.q.touchAppKey.run(lastUsedAt, id));
  }
}
