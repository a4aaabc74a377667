import type Database from 'better-sqlite3';
import { guard } from './errors.ts';
import type { Statements } from './statements.ts';

/** The open database and its prepared statements, shared by the store's parts; set by `init`. */
export class SqliteConnection {
  db: Database.Database | undefined;
  q!: Statements;

  /** An IMMEDIATE transaction: takes the write lock first, holding off other writers and processes. */
  transaction<T>(fn: () => T): T {
    return guard(() => this.db!.transaction(fn).immediate());
  }
}
