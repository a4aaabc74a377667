export { runStoreConformance, type ConformanceOptions } from './conformance.ts';
export { DAY, HOUR, MIN, T0, makeEnding, makeEvent, makeSession, makeSigningKey, makeTrustedDevice, makeUser } from './fixtures.ts';
