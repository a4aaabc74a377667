import type { DeviceStore, TrustedDeviceRecord } from '@sessiond/core';
import type { SqliteConnection } from './connection.ts';
import { guard } from './errors.ts';
import { deviceFromRow, type DevicePatch, type DeviceRow } from './rows.ts';

export class SqliteDevices implements DeviceStore {
  constructor(private readonly c: SqliteConnection) {}

  async createTrustedDevice(d: TrustedDeviceRecord): Promise<void> {
    // `?? null`: a device migrated from an older Redis store lacks secondFactorAt.
    guard(() => this.c.q.insertDevice.run(d.id, d.userId, d.secretHash, d.label, d.createdAt, d.lastUsedAt, d.expiresAt, d.secondFactorAt ?? null));
  }

  async findTrustedDevice(id: string): Promise<TrustedDeviceRecord | null> {
    const r = guard(() => this.c.q.deviceById.get(id) as DeviceRow | undefined);
    return r ? deviceFromRow(r) : null;
  }

  async updateTrustedDevice(id: string, patch: DevicePatch): Promise<void> {
    guard(() => this.c.q.updateDevice.run(patch, id));
  }

  async listTrustedDevices(userId: string, now: number): Promise<TrustedDeviceRecord[]> {
    const rows = guard(() => this.c.q.devicesOfUser.all(userId, now) as DeviceRow[]);
    return rows.map(deviceFromRow);
  }

  async deleteTrustedDevice(userId: string, id: string): Promise<boolean> {
    return guard(() => this.c.q.deleteDevice.run(id, userId).changes === 1);
  }
}
