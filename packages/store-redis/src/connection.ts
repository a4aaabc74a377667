import { ReplyError, type Cluster, type Redis } from 'ioredis';
import { outageGuard } from '@sessiond/core';
import type { RedisTarget } from './client.ts';
import { RedisKeys } from './keys.ts';
import { CREATE_SESSION, DECREMENT, END_SESSION, END_USER_SESSIONS, INCREMENT, RECORD_EVENT, SAVE_DEVICE, TIME_OUT_USER, TOUCH_APP_KEY, UPDATE_SESSION, UPDATE_USER, USE_SECOND_FACTOR, ENQUEUE_DELIVERIES, IMPORT_DELIVERY, CLAIM_DELIVERIES, SETTLE_DELIVERY, PURGE_DELIVERIES, WRITE_SESSION_DATA } from './scripts/index.ts';

interface Scripts {
  createSession(session: string, userIndex: string, json: string, limit: string, sessionPrefix: string): Promise<string>;
  updateSession(session: string, userIndex: string, patch: string, expected: string): Promise<number>;
  endSession(session: string, userIndex: string, ending: string): Promise<string | null>;
  endUserSessions(userIndex: string, ending: string, filter: string, sessionPrefix: string): Promise<string>;
  timeOutUser(userIndex: string, now: string, ttl: string, sessionPrefix: string, limit: string): Promise<string>;
  recordEvent(stream: string, deliveries: string, channel: string, json: string, max: string, ...drafts: string[]): Promise<string>;
  incrementCounter(key: string, ttl: string): Promise<number>;
  decrementCounter(key: string): Promise<number>;
  saveDevice(device: string, userDevices: string, json: string, mode: '' | 'patch'): Promise<number>;
  updateUser(user: string, ...fieldsAndValues: string[]): Promise<number>;
  useSecondFactor(user: string, kind: 'totp' | 'recovery', value: string): Promise<number>;
  touchAppKey(appKeys: string, id: string, at: string): Promise<number>;
  enqueueDeliveries(prefix: string, ...deliveries: string[]): Promise<number>;
  importDelivery(prefix: string, delivery: string): Promise<number>;
  claimDeliveries(prefix: string, now: string, token: string, leaseMs: string, limit: string): Promise<string>;
  settleDelivery(prefix: string, id: string, token: string, outcome: string): Promise<number>;
  purgeDeliveries(prefix: string, before: string, limit: string): Promise<number>;
  writeSessionData(session: string, dataKey: string, data: string, expected: string, purgeAt: string): Promise<number>;
}

export type Client = (Redis | Cluster) & Scripts;

/**
 * Whether an error means Redis cannot serve now (503, retry later) rather than a bug. Redis's own
 * replies are bugs (a failing script, a wrong type) except those that say it is not ready:
 * a Cluster without full coverage, a slot moving, a failover, loading data, memory full.
 * Everything else (refused, reset, timed out, no node reachable) is the connection.
 */
export function isRedisOutage(e: unknown): boolean {
  if (!(e instanceof ReplyError)) return true;
  return /^(CLUSTERDOWN|TRYAGAIN|MOVED|ASK|MASTERDOWN|LOADING|READONLY|BUSY|NOREPLICAS|OOM)\b/.test((e as Error).message);
}

/** The client with the scripts defined, the key layout, and `call` (outages → StoreUnavailableError). */
export class RedisConnection {
  readonly redis: Client;
  readonly k: RedisKeys;
  readonly call = outageGuard(isRedisOutage) as <T>(fn: () => Promise<T>) => Promise<T>;

  constructor(target: RedisTarget) {
    this.k = new RedisKeys(target.prefix);
    this.redis = target.connect() as Client;
    this.redis.on('error', () => {});
    const scripts: [keyof Scripts, number, string][] = [
      ['createSession', 2, CREATE_SESSION],
      ['updateSession', 2, UPDATE_SESSION],
      ['endSession', 2, END_SESSION],
      ['endUserSessions', 1, END_USER_SESSIONS],
      ['timeOutUser', 1, TIME_OUT_USER],
      ['recordEvent', 2, RECORD_EVENT],
      ['incrementCounter', 1, INCREMENT],
      ['decrementCounter', 1, DECREMENT],
      ['saveDevice', 2, SAVE_DEVICE],
      ['updateUser', 1, UPDATE_USER],
      ['useSecondFactor', 1, USE_SECOND_FACTOR],
      ['touchAppKey', 1, TOUCH_APP_KEY],
      ['enqueueDeliveries', 1, ENQUEUE_DELIVERIES],
      ['importDelivery', 1, IMPORT_DELIVERY],
      ['claimDeliveries', 1, CLAIM_DELIVERIES],
      ['settleDelivery', 1, SETTLE_DELIVERY],
      ['purgeDeliveries', 1, PURGE_DELIVERIES],
      ['writeSessionData', 2, WRITE_SESSION_DATA],
    ];
    for (const [name, numberOfKeys, lua] of scripts) this.redis.defineCommand(name, { numberOfKeys, lua });
  }
}
