import type { SessionDataRecord, SessionDataStore } from '@sessiond/core';
import type { MemorySessions } from './sessions.ts';

/** Session data in the sessions' own map of it, so a purge forgets both (sessions.ts). */
export class MemorySessionData implements SessionDataStore {
  constructor(private readonly sessions: MemorySessions) {}

  async readSessionData(sessionId: string): Promise<SessionDataRecord | null> {
    const d = this.sessions.data.get(sessionId);
    return d ? { ...d } : null;
  }

  async writeSessionData(sessionId: string, data: string, expectedVersion: number): Promise<number | null> {
    if (!this.sessions.isLive(sessionId)) return null;
    const current = this.sessions.data.get(sessionId)?.version ?? 0;
    if (current !== expectedVersion) return null;
    this.sessions.data.set(sessionId, { data, version: current + 1 });
    return current + 1;
  }
}
