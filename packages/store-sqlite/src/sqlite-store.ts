import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { assemble, type AppKeyStore, type Counters, type DeviceStore, type EventLog, type IdentityStore, type SessionDataStore, type SessionStore, type SettingStore, type SigningKeyStore, type Store, type UserStore, type WebhookQueue, type WebhookStore } from '@sessiond/core';
import { SqliteConnection } from './connection.ts';
import { SqliteCounters } from './counters.ts';
import { SqliteDevices } from './devices.ts';
import { guard } from './errors.ts';
import { SqliteEvents } from './event-log.ts';
import { SqliteIdentities } from './identities.ts';
import { SqliteKeys } from './keys.ts';
import { migrate } from './migrate.ts';
import { SqliteSessionData } from './session-data.ts';
import { SqliteSessions } from './sessions.ts';
import { SqliteSettings } from './settings.ts';
import { prepareStatements } from './statements.ts';
import { SqliteUsers } from './users.ts';
import { SqliteWebhooks } from './webhooks.ts';

export interface SqliteStoreOptions {
  /**
   * `normal` (default): in WAL mode a commit is in the WAL file before the call returns, so a
   * crash of the process (kill -9) loses nothing answered; an OS crash or power loss may lose the
   * last commits. `full`: fsync on every commit, surviving power loss at the cost of one disk
   * flush per sign-in and per activity write.
   */
  synchronous?: 'normal' | 'full';
  /** How long a write waits for another process's lock before answering store_unavailable. */
  busyTimeoutMs?: number;
}

export interface SqliteStore extends UserStore, SessionStore, SessionDataStore, DeviceStore, EventLog, Counters, SigningKeyStore, SettingStore, AppKeyStore, WebhookStore, WebhookQueue, IdentityStore {}

/**
 * The embedded default store. better-sqlite3 is synchronous, so each method runs to completion
 * before any other JavaScript in this process: single statements are atomic by themselves and
 * read-then-write steps run in IMMEDIATE transactions, which also hold off another process that
 * opened the same file. One file serves one node; its feed is in-process (see SqliteEvents).
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly c = new SqliteConnection();
  private readonly webhooks = new SqliteWebhooks(this.c);
  private readonly events = new SqliteEvents(this.c, this.webhooks);

  constructor(
    private readonly path: string,
    private readonly opts: SqliteStoreOptions = {},
  ) {
    assemble(this, new SqliteUsers(this.c), new SqliteSessions(this.c), new SqliteSessionData(this.c), new SqliteDevices(this.c), this.events, new SqliteCounters(this.c), new SqliteKeys(this.c), new SqliteSettings(this.c), this.webhooks, new SqliteIdentities(this.c));
  }

  async init(): Promise<void> {
    if (this.c.db) return;
    guard(() => {
      if (this.path !== ':memory:' && this.path !== '') mkdirSync(dirname(this.path), { recursive: true });
      const db = new Database(this.path);
      // WAL: readers never wait for the writer, and a commit is one append to the log.
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode is what the kill -9 promise needs and no more (see SqliteStoreOptions).
      db.pragma(`synchronous = ${this.opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      // Another process holding the lock (a backup, the CLI) is waited for, then reported as 503.
      db.pragma(`busy_timeout = ${this.opts.busyTimeoutMs ?? 5000}`);
      // Off by default in SQLite; on, so any reference a migration declares is enforced.
      db.pragma('foreign_keys = ON');
      // Reads through a memory map and a 64 MB page cache rather than SQLite's 2 MB default: with a
      // million sessions the hot pages no longer each cost a read() call.
      db.pragma('cache_size = -65536');
      db.pragma('mmap_size = 1073741824');
      migrate(db);
      this.c.q = prepareStatements(db);
      this.c.db = db;
    });
  }

  async close(): Promise<void> {
    this.events.feed.close();
    if (this.c.db?.open) this.c.db.close();
  }

  async ping(): Promise<void> {
    guard(() => this.c.q.ping.get());
  }
}

/** `path` is a file (its folder is created) or ':memory:'; the server's config passes `synchronous` (SESSIOND_SQLITE_SYNC). */
export function createSqliteStore(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
  const synchronous = opts.synchronous ?? 'normal';
  return new SqliteStore(path, { ...opts, synchronous });
}
