import type { SettingStore } from '@sessiond/core';
import type { RedisConnection } from './connection.ts';

/** Settings every node agrees on, in one hash: the first value claimed under a name stays. */
export class RedisSettings implements SettingStore {
  constructor(private readonly c: RedisConnection) {}

  async claimSetting(name: string, value: string): Promise<string> {
    // A setting never changes once set, so reading it after HSETNX needs no transaction.
    await this.c.call(() => this.c.redis.hsetnx(this.c.k.settings, name, value));
    return (await this.c.call(() => this.c.redis.hget(this.c.k.settings, name)))!;
  }
}
