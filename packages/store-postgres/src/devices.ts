import type { DeviceStore, TrustedDevicePatch, TrustedDeviceRecord } from '@sessiond/core';
import type { PgConnection } from './connection.ts';

export class PgDevices implements DeviceStore {
  constructor(private readonly c: PgConnection) {}

  async createTrustedDevice(d: TrustedDeviceRecord): Promise<void> {
    await this.c.q('INSERT INTO trusted_devices (id, user_id, body, expires_at) VALUES ($1, $2, $3, $4)', [d.id, d.userId, JSON.stringify(d), d.expiresAt]);
  }

  async findTrustedDevice(id: string): Promise<TrustedDeviceRecord | null> {
    const r = await this.c.q<{ body: TrustedDeviceRecord }>('SELECT body FROM trusted_devices WHERE id = $1', [id]);
    return r.rows[0]?.body ?? null;
  }

  async updateTrustedDevice(id: string, patch: TrustedDevicePatch): Promise<void> {
    await this.c.q(`UPDATE trusted_devices SET body = body || $2::jsonb, expires_at = COALESCE(($2::jsonb->>'expiresAt')::bigint, expires_at) WHERE id = $1`, [id, JSON.stringify(patch)]);
  }

  async listTrustedDevices(userId: string, now: number): Promise<TrustedDeviceRecord[]> {
    const r = await this.c.q<{ body: TrustedDeviceRecord }>(`SELECT body FROM trusted_devices WHERE user_id = $1 AND expires_at > $2 ORDER BY (body->>'lastUsedAt')::bigint DESC`, [userId, now]);
    return r.rows.map((x) => x.body);
  }

  async deleteTrustedDevice(userId: string, id: string): Promise<boolean> {
    return ((await this.c.q('DELETE FROM trusted_devices WHERE id = $1 AND user_id = $2', [id, userId])).rowCount ?? 0) === 1;
  }
}
