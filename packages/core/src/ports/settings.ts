/** Settings the nodes of one store must agree on (the key-encryption key's check value). */
export interface SettingStore {
  /** Stores `value` under `name` unless one is stored there; returns the stored one (first writer wins). */
  claimSetting(name: string, value: string): Promise<string>;
}
