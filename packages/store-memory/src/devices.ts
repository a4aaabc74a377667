import type { DeviceStore, TrustedDevicePatch, TrustedDeviceRecord } from '@sessiond/core';
import { assignDefined, clone, type MemoryRecords } from './state.ts';

export class MemoryDevices implements DeviceStore {
  constructor(private readonly r: MemoryRecords) {}

  async createTrustedDevice(device: TrustedDeviceRecord): Promise<void> {
    this.r.devices.set(device.id, clone(device));
  }
  async findTrustedDevice(id: string): Promise<TrustedDeviceRecord | null> {
    const d = this.r.devices.get(id);
    return d ? clone(d) : null;
  }
  async updateTrustedDevice(id: string, patch: TrustedDevicePatch): Promise<void> {
    const d = this.r.devices.get(id);
    if (d) assignDefined(d, patch);
  }
  async listTrustedDevices(userId: string, now: number): Promise<TrustedDeviceRecord[]> {
    return [...this.r.devices.values()].filter((d) => d.userId === userId && d.expiresAt > now).map(clone);
  }
  async deleteTrustedDevice(userId: string, id: string): Promise<boolean> {
    const d = this.r.devices.get(id);
    if (!d || d.userId !== userId) return false;
    this.r.devices.delete(id);
    return true;
  }
}
