import type { Cluster } from 'ioredis';
import { assemble, type AppKeyStore, type Counters, type DeviceStore, type EventLog, type IdentityStore, type SessionDataStore, type SessionStore, type SettingStore, type SigningKeyStore, type Store, type UserStore, type WebhookQueue, type WebhookStore } from '@sessiond/core';
import { RedisAppKeys } from './app-keys.ts';
import { parseRedisUrl, type RedisTarget } from './client.ts';
import { pingEveryShard } from './cluster-health.ts';
import { RedisConnection } from './connection.ts';
import { RedisCounters } from './counters.ts';
import { RedisDevices } from './devices.ts';
import { Due } from './due.ts';
import { RedisEvents } from './events.ts';
import { RedisIdentities } from './identities.ts';
import { migrateLegacyLayout } from './migrate.ts';
import { moveDeliveryQueue } from './move-delivery-queue.ts';
import { OwnerCache } from './owner-cache.ts';
import { RedisSessionData } from './session-data.ts';
import { RedisSessions } from './sessions.ts';
import { RedisSettings } from './settings.ts';
import { RedisUsers } from './users.ts';
import { RedisWebhooks } from './webhooks.ts';

/** 2: per-user hash tags; 3: the delivery queue on the audit stream's slot. */
const LAYOUT = '3';

/** `putUser` too: migrating from the legacy layout writes accounts as they are. */
export interface RedisStore extends UserStore, SessionStore, SessionDataStore, DeviceStore, EventLog, Counters, SigningKeyStore, SettingStore, AppKeyStore, WebhookStore, WebhookQueue, IdentityStore, Pick<RedisUsers, 'putUser'> {}

/**
 * Redis store for one Redis, a Sentinel-managed primary or Redis Cluster: the key layout in
 * keys.ts, a part per port, the `due` protocol for sweeping in due.ts. Durability across a
 * restart needs AOF.
 */
export class RedisStore implements Store {
  readonly kind = 'redis';
  private readonly c: RedisConnection;
  private readonly events: RedisEvents;

  constructor(target: RedisTarget) {
    this.c = new RedisConnection(target);
    this.events = new RedisEvents(this.c);
    const owners = new OwnerCache(this.c);
    const sessions = new RedisSessions(this.c, owners, new Due(this.c));
    assemble(this, new RedisUsers(this.c), sessions, new RedisSessionData(this.c, owners), new RedisDevices(this.c), this.events, new RedisCounters(this.c), new RedisAppKeys(this.c), new RedisSettings(this.c), new RedisWebhooks(this.c), new RedisIdentities(this.c));
  }

  async init(): Promise<void> {
    const { redis, k } = this.c;
    await this.c.call(() => redis.connect());
    // Data of the releases before per-user hash tags, and before the delivery queue moved to the
    // audit stream's slot, moves over once; the marker spares every later start a scan of the keyspace.
    if ((await this.c.call(() => redis.get(k.layout))) !== LAYOUT) {
      await this.c.call(() => migrateLegacyLayout(redis, k.prefix, this));
      await this.c.call(() => moveDeliveryQueue(redis, k));
      await this.c.call(() => redis.set(k.layout, LAYOUT));
    }
    await this.events.listen();
  }

  async close(): Promise<void> {
    this.events.close();
    this.c.redis.disconnect();
  }

  async ping(): Promise<void> {
    const redis = this.c.redis;
    await this.c.call(async () => {
      if (redis.isCluster) await pingEveryShard(redis as Cluster);
      else await redis.ping();
    });
  }
}

/** A store for a SESSIOND_STORE Redis URL (see `parseRedisUrl`); `prefix` overrides the URL's. */
export function createRedisStore(url: string, opts: { prefix?: string } = {}): RedisStore {
  const target = parseRedisUrl(url);
  return new RedisStore(opts.prefix === undefined ? target : { ...target, prefix: opts.prefix });
}
