export { MemoryStore, createMemoryStore } from './memory-store.ts';
