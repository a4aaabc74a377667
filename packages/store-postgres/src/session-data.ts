import type { SessionDataRecord, SessionDataStore } from '@sessiond/core';
import type { PgConnection } from './connection.ts';

const ACTIVE = 'EXISTS (SELECT 1 FROM sessions WHERE id = $1 AND ended_at IS NULL)';

/** Session data in its own table, deleted with its session's row (ON DELETE CASCADE, migration 8). */
export class PgSessionData implements SessionDataStore {
  constructor(private readonly c: PgConnection) {}

  async readSessionData(sessionId: string): Promise<SessionDataRecord | null> {
    const r = await this.c.q<SessionDataRecord>('SELECT data, version FROM session_data WHERE session_id = $1', [sessionId]);
    return r.rows[0] ?? null;
  }

  async writeSessionData(sessionId: string, data: string, expectedVersion: number): Promise<number | null> {
    // One statement each: the version condition and "the session has not ended" hold together.
    const r =
      expectedVersion === 0
        ? await this.c.q(`INSERT INTO session_data (session_id, data, version) SELECT $1, $2, 1 WHERE ${ACTIVE} ON CONFLICT (session_id) DO NOTHING`, [sessionId, data])
        : await this.c.q(`UPDATE session_data SET data = $2, version = version + 1 WHERE session_id = $1 AND version = $3 AND ${ACTIVE}`, [sessionId, data, expectedVersion]);
    return r.rowCount === 1 ? expectedVersion + 1 : null;
  }
}
