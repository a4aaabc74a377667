import {
  hashSecret,
  randomId,
  randomSecret,
  type AppKeyRecord,
  type NewAuditEvent,
  type SessionEnding,
  type SessionRecord,
  type SigningKeyRecord,
  type TrustedDeviceRecord,
  type UserRecord,
} from '@sessiond/core';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** A fixed, round base time: failures print readable numbers. */
export const T0 = Date.UTC(2026, 0, 1, 12);

// Stores that expire keys by their backend's clock (Redis) need records near the present, so the
// conformance suite moves the base time to the wall clock before each of their tests.
let base = T0;
export function setBaseTime(t: number): void {
  base = t;
}

export function makeUser(overrides: Partial<UserRecord> = {}): UserRecord {
  const id = randomId();
  return {
    id,
    email: `${id.toLowerCase()}@example.com`,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$fake$fake',
    createdAt: base,
    passwordChangedAt: base,
    totpSecret: null,
    totpEnabled: false,
    recoveryCodeHashes: [],
    totpLastStep: null,
    disabledAt: null,
    externalId: null,
    ...overrides,
  };
}

/**
 * An active cookie-mode session created at `createdAt` (default: the base time) with a 30-minute
 * idle and 12-hour absolute deadline; purgeAt follows the earlier deadline as the domain sets it.
 */
export function makeSession(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const createdAt = overrides.createdAt ?? base;
  const idleExpiresAt = overrides.idleExpiresAt ?? createdAt + 30 * MIN;
  const absoluteExpiresAt = overrides.absoluteExpiresAt ?? createdAt + 12 * HOUR;
  return {
    id: randomId(),
    tokenHash: hashSecret(randomSecret()),
    userId: randomId(),
    app: 'web',
    mode: 'cookie',
    createdAt,
    authenticatedAt: createdAt,
    authMethods: ['pwd'],
    lastActiveAt: createdAt,
    idleExpiresAt,
    absoluteExpiresAt,
    idleTimeoutMs: 30 * MIN,
    rememberMe: false,
    device: { browser: 'Chrome', os: 'macOS', type: 'desktop', label: 'Chrome on macOS', userAgent: 'Mozilla/5.0 (Macintosh) Chrome/120.0' },
    ipFirst: '192.0.2.1',
    ipLast: '192.0.2.1',
    locationFirst: { city: 'London', region: 'England', country: 'GB' },
    locationLast: null,
    trustedDeviceId: null,
    appKeyId: null,
    browserId: null,
    refresh: null,
    endedAt: null,
    endReason: null,
    endDetail: null,
    purgeAt: Math.min(idleExpiresAt, absoluteExpiresAt) + 7 * DAY,
    ...overrides,
  };
}

/** How a session ends at `at` (default: a minute after the base time), kept for an hour. */
export function makeEnding(reason: SessionEnding['reason'], at = base + MIN, overrides: Partial<SessionEnding> = {}): SessionEnding {
  return { at, reason, detail: null, purgeAt: at + HOUR, ...overrides };
}

export function makeTrustedDevice(overrides: Partial<TrustedDeviceRecord> = {}): TrustedDeviceRecord {
  return {
    id: randomId(),
    userId: randomId(),
    secretHash: hashSecret(randomSecret()),
    label: 'Chrome on macOS',
    createdAt: base,
    lastUsedAt: base,
    expiresAt: base + 30 * DAY,
    secondFactorAt: null,
    ...overrides,
  };
}

export function makeEvent(overrides: Partial<NewAuditEvent> = {}): NewAuditEvent {
  return { type: 'session.started', at: base, userId: null, sessionId: null, ip: '192.0.2.1', reason: null, data: { app: 'web' }, ...overrides };
}

export function makeSigningKey(overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    kid: randomId(),
    alg: 'EdDSA',
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
    privateKeyEncrypted: 'v1.iv.ciphertext.tag',
    createdAt: base,
    retiredAt: null,
    expiresAt: null,
    ...overrides,
  };
}

export function makeAppKey(overrides: Partial<AppKeyRecord> = {}): AppKeyRecord {
  return {
    id: randomId(),
    app: 'web',
    label: 'resource server',
    scopes: ['events:read', 'sessions:read'],
    secretHash: hashSecret(randomSecret()),
    createdAt: base,
    lastUsedAt: null,
    ...overrides,
  };
}
