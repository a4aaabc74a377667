import type Database from 'better-sqlite3';

export interface PatchColumn<T> {
  key: keyof T & string;
  column: string;
  /** Turns the record's value into the column's (JSON text, 0/1); identity when absent. */
  encode?: (value: never) => unknown;
}

/**
 * UPDATEs built from partial patches. Each distinct set of patched columns gets its statement
 * prepared once and cached by bitmask, so the hot path (touching a session) only binds values.
 */
export class PatchWriter<T extends object> {
  private readonly statements = new Map<number, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly columns: readonly PatchColumn<T>[],
    /** The full statement around a "col = ?, …" list; its own parameters follow the patch's. */
    private readonly template: (assignments: string) => string,
  ) {
    if (columns.length > 30) throw new Error('PatchWriter: too many columns for a bitmask');
  }

  /** Runs the UPDATE for the keys present (undefined counts as absent); null when there are none. */
  run(patch: Partial<T>, ...params: unknown[]): Database.RunResult | null {
    const values: unknown[] = [];
    let mask = 0;
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i]!;
      const value = patch[c.key];
      if (value === undefined) continue;
      mask |= 1 << i;
      values.push(c.encode ? (c.encode as (v: unknown) => unknown)(value) : value);
    }
    if (mask === 0) return null;
    return this.statement(mask).run(...values, ...params);
  }

  private statement(mask: number): Database.Statement {
    let s = this.statements.get(mask);
    if (!s) {
      const assignments = this.columns
        .filter((_, i) => mask & (1 << i))
        .map((c) => `${c.column} = ?`)
        .join(', ');
      s = this.db.prepare(this.template(assignments));
      this.statements.set(mask, s);
    }
    return s;
  }
}
