import type { AppKeyRecord, SigningKeyRecord, TrustedDeviceRecord, UserRecord } from '@sessiond/core';

export const clone = <T>(v: T): T => structuredClone(v);

/** Applies a patch; a key holding undefined counts as absent, as it does in every other store. */
export function assignDefined<T extends object>(target: T, patch: Partial<T>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) (target as Record<string, unknown>)[key] = clone(value);
  }
}

/** The records that are not sessions or events, each in a map by id. */
export class MemoryRecords {
  readonly users = new Map<string, UserRecord>();
  readonly usersByEmail = new Map<string, string>();
  readonly usersByExternalId = new Map<string, string>();
  readonly devices = new Map<string, TrustedDeviceRecord>();
  readonly signingKeys = new Map<string, SigningKeyRecord>();
  readonly appKeys = new Map<string, AppKeyRecord>();
}
