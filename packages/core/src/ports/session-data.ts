/** A session's own data (SPEC §13): JSON text and the version its compare-and-set counts. */
export interface SessionDataRecord {
  data: string;
  version: number;
}

/**
 * Server-side session data, kept apart from the session record so validating a session never
 * reads it, and forgotten with the record when the store purges it.
 */
export interface SessionDataStore {
  /** What was last written for the session, or null when nothing was (or the record is gone). */
  readSessionData(sessionId: string): Promise<SessionDataRecord | null>;
  /**
   * Compare-and-set, only while the session has not ended: stores `data` as version
   * `expectedVersion + 1` when the stored version is `expectedVersion` (0: nothing stored yet).
   * Returns the new version, or null when the stored version differs or the session ended.
   * `purgeAt`: the latest the record may live, for stores whose keys expire by themselves.
   */
  writeSessionData(sessionId: string, data: string, expectedVersion: number, purgeAt: number): Promise<number | null>;
}
