import type Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.ts';

/**
 * Brings the schema up to date, one transaction per version. Each takes the write lock first
 * (BEGIN IMMEDIATE) and checks again inside it, so processes starting together on one file apply
 * each version exactly once.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  const latest = (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  const known = migrations.at(-1)?.version ?? 0;
  if (latest > known) {
    // An older binary must not write to a schema it does not know (after a rollback, say).
    throw new Error(`SQLite schema version ${latest} is newer than this sessiond knows (${known}); upgrade sessiond`);
  }
  const apply = db.transaction((m: Migration) => {
    if (applied.get(m.version)) return;
    db.exec(m.sql);
    record.run(m.version, Date.now());
  });
  for (const m of migrations) if (m.version > latest) apply.immediate(m);
}

/** Versions recorded in the database, for tests and diagnostics. */
export function appliedVersions(db: Database.Database): number[] {
  return (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
}
