import type { AppKeyRecord } from '../types.ts';

/** App keys: the credentials of apps' backends. */
export interface AppKeyStore {
  createAppKey(key: AppKeyRecord): Promise<void>;
  /** The app's keys, oldest first. */
  listAppKeys(app: string): Promise<AppKeyRecord[]>;
  findAppKeyByHash(secretHash: string): Promise<AppKeyRecord | null>;
  /** Removes it when it belongs to the app; returns whether it did. */
  deleteAppKey(app: string, id: string): Promise<boolean>;
  /** Sets lastUsedAt; nothing when the key is gone. */
  touchAppKey(id: string, lastUsedAt: number): Promise<void>;
}
