export { PostgresStore, createPostgresStore } from './postgres-store.ts';
