import { outageGuard } from '@sessiond/core';

// Codes that say the database cannot serve right now (locked by another process, disk full or
// failing, file gone): a request must answer 503 store_unavailable, never "session ended".
// Constraint and syntax errors are defects and stay as they are.
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|NOMEM|CORRUPT|NOTADB|PROTOCOL|INTERRUPT|PERM|AUTH)/;

/** Whether the driver's error means the database cannot serve now. */
export function isSqliteOutage(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE.test(code)) return true;
  // better-sqlite3 throws a TypeError once the connection is closed (shutdown, failed open).
  return e instanceof TypeError && e.message.includes('database connection is not open');
}

/** Runs a driver call, turning "the database cannot serve" errors into StoreUnavailableError. */
export const guard = outageGuard(isSqliteOutage);

export function isExternalIdTaken(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  return err?.code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof err.message === 'string' && err.message.includes('users.external_id');
}

export function isEmailTaken(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  return err?.code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof err.message === 'string' && err.message.includes('users.email');
}
