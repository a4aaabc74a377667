import type { SettingStore } from '@sessiond/core';
import type { SqliteConnection } from './connection.ts';
import { guard } from './errors.ts';

/** Settings every process on the file agrees on: the first value claimed under a name stays. */
export class SqliteSettings implements SettingStore {
  constructor(private readonly c: SqliteConnection) {}

  async claimSetting(name: string, value: string): Promise<string> {
    return guard(() => {
      this.c.q.claimSetting.run(name, value);
      return (this.c.q.setting.get(name) as { value: string }).value;
    });
  }
}
