import type { TrustedDeviceRecord } from '../types.ts';

export type TrustedDevicePatch = Partial<Pick<TrustedDeviceRecord, 'lastUsedAt' | 'expiresAt' | 'label' | 'secondFactorAt'>>;

/** Trusted devices ("remember this device" for the second factor). */
export interface DeviceStore {
  createTrustedDevice(device: TrustedDeviceRecord): Promise<void>;
  findTrustedDevice(id: string): Promise<TrustedDeviceRecord | null>;
  updateTrustedDevice(id: string, patch: TrustedDevicePatch): Promise<void>;
  /** Devices of the user whose expiresAt is after `now`, most recently used first. */
  listTrustedDevices(userId: string, now: number): Promise<TrustedDeviceRecord[]>;
  /** Removes it when it belongs to the user; returns whether it did. */
  deleteTrustedDevice(userId: string, id: string): Promise<boolean>;
}
