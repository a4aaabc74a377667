import type { SettingStore } from '@sessiond/core';
import type { PgConnection } from './connection.ts';

/** Settings every node of the schema agrees on: the first value claimed under a name stays. */
export class PgSettings implements SettingStore {
  constructor(private readonly c: PgConnection) {}

  async claimSetting(name: string, value: string): Promise<string> {
    // The no-op update makes RETURNING answer the stored row when the name is taken.
    const r = await this.c.q<{ value: string }>('INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING value', [name, value]);
    return r.rows[0]!.value;
  }
}
