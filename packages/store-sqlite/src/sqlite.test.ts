import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeEnding, makeEvent, makeSession, makeUser, runStoreConformance } from '@sessiond/store-tests';
import { afterAll, describe, expect, it } from 'vitest';
import { appliedVersions, migrate } from './migrate.ts';
import { MIGRATIONS } from './migrations.ts';
import { createSqliteStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'sessiond-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const opened = async (path: string, opts: Parameters<typeof createSqliteStore>[1] = {}) => {
  const s = createSqliteStore(path, opts);
  await s.init();
  return s;
};

const paths = new WeakMap<object, string>();
/** A trigger, written through a second connection to the file, refuses that webhook's deliveries. */
async function breakDeliveryQueue(store: object, webhookId: string): Promise<void> {
  const db = new Database(paths.get(store)!);
  db.prepare(`CREATE TRIGGER refuse_delivery BEFORE INSERT ON webhook_deliveries WHEN NEW.webhook_id = '${webhookId}' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`).run();
  db.close();
}

runStoreConformance('sqlite (:memory:)', () => opened(':memory:'));
runStoreConformance(
  'sqlite (file)',
  async () => {
    const path = join(dir, `conformance-${++n}.db`);
    const s = await opened(path);
    paths.set(s, path);
    return s;
  },
  { breakDeliveryQueue },
);

describe('sqlite file', () => {
  it('keeps everything across close and reopen, and migrates only once', async () => {
    const path = join(dir, 'nested', 'folder', 'reopen.db');
    const a = await opened(path);
    const u = makeUser();
    const active = makeSession({ userId: u.id });
    const ended = makeSession({ userId: u.id });
    await a.createUser(u);
    await a.createSession(active);
    await a.createSession(ended);
    const endedRecord = await a.endSession(ended.id, makeEnding('logged_out', ended.createdAt + 1));
    const event = await a.recordEvent(makeEvent({ userId: u.id }));
    await a.close();

    const b = await opened(path);
    expect(await b.findUserById(u.id)).toEqual(u);
    expect(await b.findSession(active.id)).toEqual(active);
    expect(await b.findSession(ended.id)).toEqual(endedRecord);
    expect(await b.listEvents({ limit: 10 })).toEqual([event]);
    // Ids keep increasing across restarts: a feed resuming after `event` misses nothing.
    const next = await b.recordEvent(makeEvent());
    expect(Number(next.id)).toBeGreaterThan(Number(event.id));
    await b.close();

    const db = new Database(path, { readonly: true });
    expect(appliedVersions(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('upgrades a database created by an earlier schema version, keeping its data', async () => {
    const path = join(dir, 'upgrade.db');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 1));
    const s = makeSession();
    old.prepare('INSERT INTO sessions (id, token_hash, user_id, app, mode, created_at, authenticated_at, last_active_at, idle_expires_at, absolute_expires_at, idle_timeout_ms, remember_me, device, purge_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      s.id, s.tokenHash, s.userId, s.app, s.mode, s.createdAt, s.authenticatedAt, s.lastActiveAt, s.idleExpiresAt, s.absoluteExpiresAt, s.idleTimeoutMs, 0, JSON.stringify(s.device), s.purgeAt,
    );
    old.close();
    const store = await opened(path);
    expect(await store.listUserSessions(s.userId, s.createdAt)).toEqual([{ ...s, ipFirst: null, ipLast: null, locationFirst: null, authMethods: null }]);
    await store.close();
  });

  it('refuses a database from a newer sessiond', async () => {
    const path = join(dir, 'newer.db');
    const db = new Database(path);
    migrate(db);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(MIGRATIONS.at(-1)!.version + 1, 0);
    db.close();
    await expect(opened(path)).rejects.toThrow(/newer than this sessiond knows/);
  });

  it('answers store_unavailable, not "no such session", when the database is locked by another process', async () => {
    const path = join(dir, 'locked.db');
    const store = await opened(path, { busyTimeoutMs: 50 });
    const s = makeSession();
    await store.createSession(s);
    const other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    try {
      await expect(store.updateSession(s.id, { lastActiveAt: s.createdAt + 1 })).rejects.toMatchObject({ code: 'store_unavailable' });
      await expect(store.createSession(makeSession())).rejects.toMatchObject({ code: 'store_unavailable' });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(await store.updateSession(s.id, { lastActiveAt: s.createdAt + 1 })).toBe(true);
    await store.close();
  });

  it('answers store_unavailable once closed', async () => {
    const s = await opened(':memory:');
    await s.close();
    await expect(s.findSession('x')).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(s.ping()).rejects.toMatchObject({ code: 'store_unavailable' });
  });

  it('uses synchronous=FULL when asked to survive power loss', async () => {
    const path = join(dir, 'full.db');
    const normal = await opened(path);
    const full = await opened(path, { synchronous: 'full' });
    const level = (s: unknown) => ((s as { c: { db: Database.Database } }).c.db.pragma('synchronous', { simple: true }));
    expect([level(normal), level(full)]).toEqual([1, 2]); // NORMAL, FULL
    await normal.close();
    await full.close();
  });
});
