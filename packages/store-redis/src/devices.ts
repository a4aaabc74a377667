import type { DeviceStore, TrustedDevicePatch, TrustedDeviceRecord } from '@sessiond/core';
import type { RedisConnection } from './connection.ts';

/** A device's record under its user's tag, found by id through a pointer that expires with it. */
export class RedisDevices implements DeviceStore {
  constructor(private readonly c: RedisConnection) {}

  async createTrustedDevice(d: TrustedDeviceRecord): Promise<void> {
    const { redis, k } = this.c;
    await this.c.call(() => redis.set(k.deviceOwner(d.id), d.userId, 'PXAT', d.expiresAt));
    await this.c.call(() => redis.saveDevice(k.device(d.userId, d.id), k.userDevices(d.userId), JSON.stringify(d), ''));
  }

  async findTrustedDevice(id: string): Promise<TrustedDeviceRecord | null> {
    const { redis, k } = this.c;
    const userId = await this.c.call(() => redis.get(k.deviceOwner(id)));
    if (userId === null) return null;
    const raw = await this.c.call(() => redis.get(k.device(userId, id)));
    return raw ? (JSON.parse(raw) as TrustedDeviceRecord) : null;
  }

  async updateTrustedDevice(id: string, patch: TrustedDevicePatch): Promise<void> {
    const { redis, k } = this.c;
    const userId = await this.c.call(() => redis.get(k.deviceOwner(id)));
    if (userId === null) return;
    const saved = await this.c.call(() => redis.saveDevice(k.device(userId, id), k.userDevices(userId), JSON.stringify(patch), 'patch'));
    if (saved && patch.expiresAt !== undefined) await this.c.call(() => redis.pexpireat(k.deviceOwner(id), patch.expiresAt!, 'GT'));
  }

  async listTrustedDevices(userId: string, now: number): Promise<TrustedDeviceRecord[]> {
    const { redis, k } = this.c;
    const set = k.userDevices(userId);
    const ids = await this.c.call(() => redis.smembers(set));
    if (ids.length === 0) return [];
    const raws = await this.c.call(() => redis.mget(ids.map((id) => k.device(userId, id))));
    const out: TrustedDeviceRecord[] = [];
    raws.forEach((raw, i) => {
      if (!raw) void redis.srem(set, ids[i]!).catch(() => {});
      else {
        const d = JSON.parse(raw) as TrustedDeviceRecord;
        if (d.expiresAt > now) out.push(d);
      }
    });
    return out.sort((a, b) => b.lastUsedAt - a.lastUsedAt);
  }

  async deleteTrustedDevice(userId: string, id: string): Promise<boolean> {
    const { redis, k } = this.c;
    const raw = await this.c.call(() => redis.get(k.device(userId, id)));
    if (!raw) return false;
    await this.c.call(() => redis.multi().del(k.device(userId, id)).srem(k.userDevices(userId), id).exec());
    await this.c.call(() => redis.del(k.deviceOwner(id)));
    return true;
  }
}
