import { hashSecret, randomId, randomSecret, type SessionRecord, type UserRecord } from '@sessiond/core';

export const T0 = Date.UTC(2026, 0, 1, 12);
export const MIN = 60_000;

// Stores that expire keys by their own clock (Redis) need fixtures near the present.
let base = T0;
export function setBaseTime(t: number): void {
  base = t;
}

export function makeUser(overrides: Partial<UserRecord> = {}): UserRecord {
  const id = randomId();
  return {
    id,
    email: `${id.toLowerCase()}@example.com`,
    passwordHash: '$argon2id$fake',
    createdAt: base,
    passwordChangedAt: base,
    totpSecret: null,
    totpEnabled: false,
    recoveryCodeHashes: [],
    ...overrides,
  };
}

/** A session active from `createdAt` (default: the base time) with 30 min idle / 12 h absolute deadlines. */
export function makeSession(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const createdAt = overrides.createdAt ?? base;
  const idleExpiresAt = overrides.idleExpiresAt ?? createdAt + 30 * MIN;
  const absoluteExpiresAt = overrides.absoluteExpiresAt ?? createdAt + 12 * 60 * MIN;
  return {
    id: randomId(),
    tokenHash: hashSecret(randomSecret()),
    userId: randomId(),
    app: 'web',
    mode: 'cookie',
    createdAt,
    authenticatedAt: createdAt,
    lastActiveAt: createdAt,
    idleExpiresAt,
    absoluteExpiresAt,
    idleTimeoutMs: 30 * MIN,
    rememberMe: false,
    device: { browser: 'Chrome', os: 'macOS', type: 'desktop', label: 'Chrome on macOS', userAgent: 'Mozilla/5.0 Chrome/120' },
    ipFirst: '192.0.2.1',
    ipLast: '192.0.2.1',
    locationFirst: { city: 'London', region: 'England', country: 'GB' },
    locationLast: null,
    trustedDeviceId: null,
    refresh: null,
    endedAt: null,
    endReason: null,
    endDetail: null,
    purgeAt: Math.min(idleExpiresAt, absoluteExpiresAt) + 7 * 24 * 60 * MIN,
    ...overrides,
  };
}
