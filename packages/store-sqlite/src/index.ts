export { SqliteStore, createSqliteStore } from './sqlite-store.ts';
