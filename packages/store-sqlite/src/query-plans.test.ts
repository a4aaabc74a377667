import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from './migrate.ts';
import { prepareStatements } from './statements.ts';

// The store's own statements, checked against the planner: lookups and sweeping must walk
// indexes, so their cost follows what they touch, not how much is stored.
describe('SQLite query plans', () => {
  const db = new Database(':memory:');
  migrate(db);
  const q = prepareStatements(db);
  const plan = (stmt: Database.Statement, ...params: unknown[]) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${stmt.source}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
  const ending = { at: 0, reason: 'revoked', detail: null, purgeAt: 0 };
  const fullScan = /SCAN sessions(?! USING)/;

  it('finds a session by primary key', () => {
    expect(plan(q.sessionById, 'x')).toMatch(/SEARCH sessions USING INDEX sqlite_autoindex_sessions_1 \(id=\?\)/);
    expect(plan(q.endSession, { ...ending, id: 'x' })).toMatch(/SEARCH sessions USING INDEX sqlite_autoindex_sessions_1/);
  });

  it('reads a user’s active sessions through the partial per-user index', () => {
    expect(plan(q.activeOfUser, 'u', 0)).toContain('USING INDEX sessions_user_active (user_id=?)');
    expect(plan(q.endUserSessions, { ...ending, userId: 'u', exceptId: null, app: null, trustedDeviceId: null })).toContain('USING INDEX sessions_user_active');
  });

  it('finds timed-out sessions through the partial deadline index', () => {
    const p = plan(q.dueForTimeout, { now: 0, limit: 10 });
    expect(p).toContain('USING INDEX sessions_active_deadline');
    expect(p).not.toMatch(fullScan);
  });

  it('purges tombstones and counters through their expiry indexes', () => {
    const p = plan(q.purgeDue, 0, 10);
    expect(p).toContain('USING INDEX sessions_purge');
    expect(p).not.toMatch(fullScan);
    expect(plan(q.purgeCounters, 0, 10)).toContain('USING INDEX counters_expiry');
  });

  it('finds a user by email and trusted devices by user through indexes', () => {
    expect(plan(q.userByEmail, 'a@example.com')).toContain('USING INDEX sqlite_autoindex_users_2');
    expect(plan(q.devicesOfUser, 'u', 0)).toContain('USING INDEX trusted_devices_user');
  });
});
