import { assemble, type AppKeyStore, type Counters, type DeviceStore, type EventLog, type IdentityStore, type SessionDataStore, type SessionStore, type SettingStore, type SigningKeyStore, type Store, type UserStore, type WebhookQueue, type WebhookStore } from '@sessiond/core';
import { PgConnection } from './connection.ts';
import { PgCounters } from './counters.ts';
import { PgDevices } from './devices.ts';
import { PgEvents } from './events.ts';
import { PgKeys } from './keys.ts';
import { PgIdentities } from './identities.ts';
import { MIGRATIONS } from './migrations.ts';
import { PgSessionData } from './session-data.ts';
import { PgSessions } from './sessions.ts';
import { PgSettings } from './settings.ts';
import { PgUsers } from './users.ts';
import { PgWebhooks } from './webhooks.ts';

export interface PostgresStore extends UserStore, SessionStore, SessionDataStore, DeviceStore, EventLog, Counters, SigningKeyStore, SettingStore, AppKeyStore, WebhookStore, WebhookQueue, IdentityStore {}

/** PostgreSQL store: one schema holds every table; a part per port over one pool. */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  private readonly c: PgConnection;
  private readonly events: PgEvents;

  constructor(url: string, opts: { schema?: string } = {}) {
    const schema = opts.schema ?? 'sessiond';
    if (!/^[a-z_][a-z0-9_]{0,50}$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    this.c = new PgConnection(url, schema);
    this.events = new PgEvents(this.c);
    assemble(this, new PgUsers(this.c), new PgSessions(this.c), new PgSessionData(this.c), new PgDevices(this.c), this.events, new PgCounters(this.c), new PgKeys(this.c), new PgSettings(this.c), new PgWebhooks(this.c), new PgIdentities(this.c));
  }

  async init(): Promise<void> {
    const schema = this.c.schema;
    await this.c.tx(async (c) => {
      // Several nodes may start together: one applies migrations while the others wait.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sessiond-migrations:${schema}`]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await c.query(`SET LOCAL search_path = ${schema}`);
      await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      const applied = new Set((await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      for (const [i, sql] of MIGRATIONS.entries()) {
        // An empty entry holds a version for a branch not merged yet: skipped, not recorded.
        if (applied.has(i + 1) || sql === '') continue;
        await c.query(sql);
        await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [i + 1, Date.now()]);
      }
    });
    await this.events.listen();
  }

  async close(): Promise<void> {
    await this.events.close();
    await this.c.pool.end().catch(() => {});
  }

  async ping(): Promise<void> {
    await this.c.q('SELECT 1');
  }
}

/** `postgres://…?schema=name`: the schema holds every table (tests use a random one). */
export function createPostgresStore(url: string, opts: { schema?: string } = {}): PostgresStore {
  const u = new URL(url);
  const schema = opts.schema ?? u.searchParams.get('schema') ?? undefined;
  u.searchParams.delete('schema');
  return new PostgresStore(u.toString(), { schema });
}
