export { runStoreConformance, type ConformanceOptions } from './conformance.ts';
export { makeSession, makeUser, T0, MIN } from './fixtures.ts';
