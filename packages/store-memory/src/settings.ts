import type { SettingStore } from '@sessiond/core';

/** Settings the nodes of a store agree on: the first value claimed under a name stays. */
export class MemorySettings implements SettingStore {
  private readonly settings = new Map<string, string>();

  async claimSetting(name: string, value: string): Promise<string> {
    if (!this.settings.has(name)) this.settings.set(name, value);
    return this.settings.get(name)!;
  }
}
