import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSession, makeUser, runStoreConformance } from '@sessiond/store-tests';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'sessiond-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runStoreConformance('sqlite (:memory:)', async () => {
  const s = createSqliteStore(':memory:');
  await s.init();
  return s;
});

runStoreConformance('sqlite (file)', async () => {
  const s = createSqliteStore(join(dir, `conformance-${++n}.db`));
  await s.init();
  return s;
});

describe('sqlite file', () => {
  it('keeps everything across close and reopen, and migrates only once', async () => {
    const path = join(dir, 'reopen.db');
    const a = createSqliteStore(path);
    await a.init();
    const u = makeUser();
    const s = makeSession({ userId: u.id });
    await a.createUser(u);
    await a.createSession(s);
    await a.endSession(s.id, { at: s.createdAt + 1, reason: 'logged_out', purgeAt: s.createdAt + 2 });
    await a.close();
    const b = createSqliteStore(path);
    await b.init();
    expect(await b.findUserById(u.id)).toEqual(u);
    expect((await b.findSession(s.id))!.endReason).toBe('logged_out');
    await b.close();
  });

  it('reports a closed database as store_unavailable, not as a missing session', async () => {
    const s = createSqliteStore(':memory:');
    await s.init();
    await s.close();
    await expect(s.findSession('x')).rejects.toMatchObject({ code: 'store_unavailable' });
  });
});
