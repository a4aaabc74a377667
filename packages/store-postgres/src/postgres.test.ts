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

  const schemaOf = new WeakMap<object, string>();
  runStoreConformance(
    'postgres',
    async () => {
      const schema = fresh();
      const s = createPostgresStore(url!, { schema });
      await s.init();
      schemaOf.set(s, schema);
      return s;
    },
    {
      // A trigger refuses that webhook's deliveries, as a broken constraint would.
      async breakDeliveryQueue(store, webhookId) {
        const schema = schemaOf.get(store)!;
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          await c.query(`CREATE FUNCTION ${schema}.refuse_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.webhook_id = '${webhookId}' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
          await c.query(`CREATE TRIGGER refuse_delivery BEFORE INSERT ON ${schema}.webhook_deliveries FOR EACH ROW EXECUTE FUNCTION ${schema}.refuse_delivery()`);
        } finally {
          await c.end();
        }
      },
    },
  );

  it('several nodes starting at once on a fresh schema all migrate safely', async () => {
    const schema = fresh();
    const stores = Array.from({ length: 4 }, () => createPostgresStore(url!, { schema }));
    await Promise.all(stores.map((s) => s.init()));
    await stores[0]!.ping();
    await Promise.all(stores.map((s) => s.close()));
  });

  it('LISTEN comes back after the server drops the listener connection, and delivers what was recorded meanwhile, once', async () => {
    const schema = fresh();
    const writer: PostgresStore = createPostgresStore(url!, { schema });
    await writer.init();
    // History from before this node started is never replayed to it.
    const before = await writer.recordEvent({ type: 'session.started', at: Date.now(), userId: 'u', sessionId: 'before', ip: null, reason: null, data: {} });
    const store: PostgresStore = createPostgresStore(url!, { schema });
    await store.init();
    const got: string[] = [];
    store.subscribe((e) => got.push(e.id));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [`sessiond-listen:${schema}`]);
    expect(killed.rowCount).toBe(2); // both nodes' listeners; only the first one's subscriber matters
    await admin.end();
    // Recorded by another node while this one's listener is gone: no NOTIFY reaches it.
    const during: string[] = [];
    for (let i = 0; i < 3; i++) during.push((await writer.recordEvent({ type: 'session.ended', at: Date.now(), userId: 'u', sessionId: `s${i}`, ip: null, reason: 'revoked', data: {} })).id);
    for (let i = 0; i < 40 && !during.every((id) => got.includes(id)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual(during);
    // And live delivery goes on, without repeats.
    const after = (await writer.recordEvent({ type: 'session.started', at: Date.now(), userId: 'u', sessionId: 'after', ip: null, reason: null, data: {} })).id;
    for (let i = 0; i < 20 && !got.includes(after); i++) await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual([...during, after]);
    expect(got).not.toContain(before.id);
    await Promise.all([store.close(), writer.close()]);
  });
});
