import type { AppKeyRecord, AppKeyStore, SigningKeyRecord, SigningKeyStore } from '@sessiond/core';
import type { PgConnection } from './connection.ts';

// lastUsedAt has its own column so that a touch rewrites one number, not the record.
const APP_KEY_COLUMNS = 'body, last_used_at';
type AppKeyRow = { body: AppKeyRecord; last_used_at: number | null };
const appKeyFromRow = (r: AppKeyRow): AppKeyRecord => ({ ...r.body, lastUsedAt: r.last_used_at });

/** Signing keys and app keys. */
export class PgKeys implements SigningKeyStore, AppKeyStore {
  constructor(private readonly c: PgConnection) {}

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    return (await this.c.q<{ body: SigningKeyRecord }>('SELECT body FROM signing_keys')).rows.map((r) => r.body);
  }

  async saveSigningKey(key: SigningKeyRecord): Promise<void> {
    await this.c.q('INSERT INTO signing_keys (kid, body) VALUES ($1, $2) ON CONFLICT (kid) DO UPDATE SET body = EXCLUDED.body', [key.kid, JSON.stringify(key)]);
  }

  async createAppKey(key: AppKeyRecord): Promise<void> {
    await this.c.q('INSERT INTO app_keys (id, app, secret_hash, body, last_used_at) VALUES ($1, $2, $3, $4, $5)', [key.id, key.app, key.secretHash, JSON.stringify(key), key.lastUsedAt]);
  }

  async listAppKeys(app: string): Promise<AppKeyRecord[]> {
    return (await this.c.q<AppKeyRow>(`SELECT ${APP_KEY_COLUMNS} FROM app_keys WHERE app = $1 ORDER BY seq`, [app])).rows.map(appKeyFromRow);
  }

  async findAppKeyByHash(secretHash: string): Promise<AppKeyRecord | null> {
    const row = (await this.c.q<AppKeyRow>(`SELECT ${APP_KEY_COLUMNS} FROM app_keys WHERE secret_hash = $1`, [secretHash])).rows[0];
    return row ? appKeyFromRow(row) : null;
  }

  async deleteAppKey(app: string, id: string): Promise<boolean> {
    return ((await this.c.q('DELETE FROM app_keys WHERE id = $1 AND app = $2', [id, app])).rowCount ?? 0) > 0;
  }

  async touchAppKey(id: string, lastUsedAt: number): Promise<void> {
    await this.c.q('UPDATE app_keys SET last_used_at = $1 WHERE id = $2', [lastUsedAt, id]);
  }
}
