import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runStoreConformance } from '@sessiond/store-tests';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from './postgres-store.ts';

const url = process.env.DATABASE_URL;
if (!url) console.warn('store-postgres: DATABASE_URL is not set; the PostgreSQL suite is SKIPPED');

const schemas: string[] = [];
const fresh = () => {
  const schema = `test_${randomBytes(5).toString('hex')}`;
  schemas.push(schema);
  return schema;
};

describe.skipIf(!url)('postgres', () => {
  afterAll(async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await c.end();
  });

  runStoreConformance('postgres', async () => {
    const s = createPostgresStore(url!, { schema: fresh() });
    await s.init();
    return s;
  });

  it('several nodes starting at once on a fresh schema all migrate safely', async () => {
    const schema = fresh();
    const stores = Array.from({ length: 4 }, () => createPostgresStore(url!, { schema }));
    await Promise.all(stores.map((s) => s.init()));
    await stores[0]!.ping();
    await Promise.all(stores.map((s) => s.close()));
  });

  it('LISTEN comes back after the server drops the listener connection', async () => {
    const schema = fresh();
    const store: PostgresStore = createPostgresStore(url!, { schema });
    await store.init();
    const got: string[] = [];
    store.subscribe((e) => got.push(e.id));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, [`LISTEN sessiond_events_${schema}`]);
    expect(killed.rowCount).toBe(1);
    await admin.end();
    let recorded = '';
    for (let i = 0; i < 40 && !got.includes(recorded); i++) {
      await new Promise((r) => setTimeout(r, 100));
      recorded = (await store.recordEvent({ type: 'session.started', at: Date.now(), userId: 'u', sessionId: 's', ip: null, reason: null, data: {} })).id;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(got).toContain(recorded);
    await store.close();
  });
});
