export { SqliteStore, createSqliteStore, type SqliteStoreOptions } from './sqlite-store.ts';
export { DatabaseInUseError, lockForServing, type ServeLock } from './serve-lock.ts';
