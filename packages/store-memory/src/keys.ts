import type { AppKeyRecord, AppKeyStore, SigningKeyRecord, SigningKeyStore } from '@sessiond/core';
import { clone, type MemoryRecords } from './state.ts';

/** Signing keys and app keys: small maps read whole. */
export class MemoryKeys implements SigningKeyStore, AppKeyStore {
  constructor(private readonly r: MemoryRecords) {}

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    return [...this.r.signingKeys.values()].map(clone);
  }
  async saveSigningKey(key: SigningKeyRecord): Promise<void> {
    this.r.signingKeys.set(key.kid, clone(key));
  }

  async createAppKey(key: AppKeyRecord): Promise<void> {
    this.r.appKeys.set(key.id, clone(key));
  }
  async listAppKeys(app: string): Promise<AppKeyRecord[]> {
    return [...this.r.appKeys.values()].filter((k) => k.app === app).map(clone);
  }
  async findAppKeyByHash(secretHash: string): Promise<AppKeyRecord | null> {
    for (const k of this.r.appKeys.values()) if (k.secretHash === secretHash) return clone(k);
    return null;
  }
  async deleteAppKey(app: string, id: string): Promise<boolean> {
    return this.r.appKeys.get(id)?.app === app && this.r.appKeys.delete(id);
  }
  async touchAppKey(id: string, lastUsedAt: number): Promise<void> {
    const k = this.r.appKeys.get(id);
    if (k) k.lastUsedAt = lastUsedAt;
  }
}
