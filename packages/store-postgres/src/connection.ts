import pg from 'pg';
import { outageGuard, storeError } from '@sessiond/core';

// BIGINT epoch milliseconds fit a double exactly; read them as numbers, not strings.
export const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)),
};

/** Connection-class failures (SQLSTATE 08, 53, 57P; socket errors) mean the store is away. */
export function isPgOutage(e: unknown): boolean {
  const code = String((e as { code?: string }).code ?? '');
  const msg = String((e as Error).message ?? '');
  return /^(08|53|57P)/.test(code) || /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|NOTFOUND)$/.test(code) || /Connection terminated|timeout|not queryable|Client was closed|Cannot use a pool after calling end/i.test(msg);
}

const guard = outageGuard(isPgOutage);

/** The pool, shared by the store's parts: one statement (`q`) or one transaction (`tx`). */
export class PgConnection {
  readonly pool: pg.Pool;

  constructor(
    readonly url: string,
    readonly schema: string,
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 2000, query_timeout: 5000, types, options: `-c search_path=${schema}` });
    this.pool.on('error', () => {});
  }

  q<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values: unknown[] = [], name?: string): Promise<pg.QueryResult<R>> {
    return guard(() => this.pool.query<R>(name ? { name, text, values } : { text, values }));
  }

  async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    // Any failure to get a connection is the store being away.
    const client = await this.pool.connect().catch((e: unknown) => Promise.reject(storeError(e, () => true)));
    try {
      await client.query('BEGIN');
      const r = await fn(client);
      await client.query('COMMIT');
      return r;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw storeError(e, isPgOutage);
    } finally {
      client.release();
    }
  }
}
