import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from './migrations.ts';

// Sweeping must cost what expires, not what is stored: its queries must walk indexes, never scan.
describe('SQLite query plans', () => {
  const db = new Database(':memory:');
  for (const m of MIGRATIONS) db.exec(m);
  const plan = (sql: string, ...args: unknown[]) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join(' | ');

  it('finds timed-out sessions through the partial deadline index', () => {
    const p = plan('SELECT * FROM sessions WHERE ended_at IS NULL AND min(idle_expires_at, absolute_expires_at) <= ? ORDER BY min(idle_expires_at, absolute_expires_at) LIMIT ?', 0, 10);
    expect(p).toContain('USING INDEX sessions_active_deadline');
    expect(p).not.toMatch(/SCAN sessions(?! USING)/);
  });

  it('purges tombstones through the purge index', () => {
    const p = plan('SELECT id FROM sessions WHERE ended_at IS NOT NULL AND purge_at <= ? ORDER BY purge_at LIMIT ?', 0, 10);
    expect(p).toContain('USING INDEX sessions_purge');
  });

  it('looks sessions up by primary key and lists them by user index', () => {
    expect(plan('SELECT * FROM sessions WHERE id = ?', 'x')).toMatch(/USING INDEX sqlite_autoindex_sessions_1|USING PRIMARY KEY/);
    expect(plan('SELECT * FROM sessions WHERE user_id = ? AND ended_at IS NULL', 'u')).toContain('USING INDEX sessions_user');
  });
});
