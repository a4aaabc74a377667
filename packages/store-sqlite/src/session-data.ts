import type { SessionDataRecord, SessionDataStore } from '@sessiond/core';
import type { SqliteConnection } from './connection.ts';
import { guard } from './errors.ts';

/** Session data in its own table; a trigger forgets it with its session's row (migration 11). */
export class SqliteSessionData implements SessionDataStore {
  constructor(private readonly c: SqliteConnection) {}

  async readSessionData(sessionId: string): Promise<SessionDataRecord | null> {
    return guard(() => (this.c.q.readSessionData.get(sessionId) as SessionDataRecord | undefined) ?? null);
  }

  async writeSessionData(sessionId: string, data: string, expectedVersion: number): Promise<number | null> {
    // One statement each: the version condition and "the session has not ended" hold in the same step.
    const step = expectedVersion === 0 ? this.c.q.insertSessionData : this.c.q.updateSessionData;
    const { changes } = guard(() => step.run({ id: sessionId, data, expected: expectedVersion }));
    return changes === 1 ? expectedVersion + 1 : null;
  }
}
