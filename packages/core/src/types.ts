/** Plain data shared by the domain and every store. Times are epoch milliseconds. */

import type { AppKeyScope, AuthMethod, EndReason } from '@sessiond/contract/names';

// The closed lists of names are the wire contract's: one list for core, server and SDK.
export { APP_KEY_SCOPES, AUTH_METHODS, END_REASONS, type AppKeyScope, type AuthMethod, type EndReason } from '@sessiond/contract/names';

/** Facts that make an ending's message specific ("signed out from Chrome on macOS"). */
export interface EndDetail {
  /** Label of the device whose action ended this session (revoked, concurrent_limit). */
  byDevice?: string;
  /** Session id whose action ended this one. */
  bySessionId?: string;
  /** The concurrent-session limit in force. */
  limit?: number;
  /** The ceiling on the account's sessions across apps, when that is what ended this one. */
  accountLimit?: number;
  /** The timeout that elapsed, in ms (idle_timeout, absolute_timeout). */
  timeoutMs?: number;
  /** The identity provider's label whose sign-in ended this session (sso_logout, sso_ended). */
  provider?: string;
}

/**
 * A session started through an organisation's identity provider (SPEC §15). The provider's tokens
 * are sealed by the server before they reach the record: a copy of the store opens nothing.
 */
export interface SsoLink {
  /** The configured provider name (`oidc.providers.<name>`). */
  provider: string;
  /** Its label when the session started ("Acme SSO"), for the view and the ending's message. */
  label: string;
  issuer: string;
  subject: string;
  /** The provider's session id (`sid` claim), which back-channel logout names; null when not sent. */
  sid: string | null;
  /** Sealed ID token, for RP-initiated logout's id_token_hint; null when not kept. */
  idToken: string | null;
  /** Sealed refresh token (keepUpstreamFresh); null when none. */
  refreshToken: string | null;
  /** When the provider's access token expires; null: unknown. */
  upstreamExpiresAt: number | null;
  /** From when activity refreshes the provider's tokens (keepUpstreamFresh): half their lifetime. */
  upstreamRefreshAt: number | null;
}

/** A person's account at an identity provider, linked to one user: found by `(issuer, subject)`. */
export interface IdentityRecord {
  issuer: string;
  subject: string;
  userId: string;
  /** The configured provider name it was first linked through. */
  provider: string;
  createdAt: number;
}

export interface UserRecord {
  id: string;
  /** Lower-cased, trimmed; unique. */
  email: string;
  /** argon2id PHC string; null for an account without a password (made by the admin API's PUT by external id), which no password opens. */
  passwordHash: string | null;
  createdAt: number;
  passwordChangedAt: number;
  /** Base32 TOTP secret once set up (pending until totpEnabled). */
  totpSecret: string | null;
  totpEnabled: boolean;
  /** Unused recovery codes, each as `salt$HMAC-SHA-256(salt, code)` (recovery-codes.ts); never the code. */
  recoveryCodeHashes: string[];
  /** The TOTP time step last accepted: a code is never accepted twice. */
  totpLastStep: number | null;
  /** Set by an administrator: no sign-in, every session ended. */
  disabledAt: number | null;
  /**
   * The operator's own id for this person (unique; set once, at creation, by
   * `PUT /v1/admin/users/by-external-id/:externalId`), so their app finds the account again.
   * Records written before this field existed lack it, which counts as null.
   */
  externalId: string | null;
}

export interface DeviceInfo {
  browser: string | null;
  os: string | null;
  type: 'desktop' | 'mobile' | 'tablet' | 'other';
  /** "Chrome on macOS". */
  label: string;
  userAgent: string;
}

export interface Location {
  city: string | null;
  region: string | null;
  country: string | null;
}

/** Token-mode refresh state; only hashes are stored. */
export interface RefreshState {
  /** SHA-256 of the current refresh token's secret. */
  hash: string;
  /** SHA-256 of the previous refresh token's secret, answered within the grace. */
  previousHash: string | null;
  /** When `previousHash` was rotated out. */
  rotatedAt: number | null;
  /** Increments on every rotation. */
  generation: number;
}

export interface SessionRecord {
  /** Public identifier; not a secret. */
  id: string;
  /** SHA-256 (base64url) of the secret half of the session token. */
  tokenHash: string;
  userId: string;
  app: string;
  mode: 'cookie' | 'token';
  createdAt: number;
  /** Last full authentication (password, TOTP): basis for step-up freshness. */
  authenticatedAt: number;
  /**
   * What that authentication checked (never empty): access tokens carry it as `amr`, with
   * `authenticatedAt` as `auth_time`. Null when sessiond saw none (a session the admin API started,
   * until the person re-authenticates here); records written before this field existed lack it,
   * which counts as null.
   */
  authMethods: AuthMethod[] | null;
  lastActiveAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  /** Idle timeout chosen at sign-in, so later activity slides by the same amount. */
  idleTimeoutMs: number;
  rememberMe: boolean;
  device: DeviceInfo;
  ipFirst: string | null;
  ipLast: string | null;
  locationFirst: Location | null;
  locationLast: Location | null;
  trustedDeviceId: string | null;
  /**
   * The app key that started this session through the admin API, else null. Such a session acts
   * for its own app only, and never counts as the person's own sign-in for step-up (SPEC §9).
   * Records written before this field existed lack it, which counts as null.
   */
  appKeyId: string | null;
  /**
   * Set when the session was started through an identity provider (SPEC §15), else null. Records
   * written before this field existed lack it, which counts as null.
   */
  sso?: SsoLink | null;
  /**
   * The browser it was signed in from (sessiond's long-lived browser cookie; not a credential):
   * the same for every session of one browser, so a person sees one row per browser. Null for
   * sessions no browser cookie came with (token mode, the admin API); records written before the
   * field existed lack it, which counts as null.
   */
  browserId: string | null;
  refresh: RefreshState | null;
  endedAt: number | null;
  endReason: EndReason | null;
  endDetail: EndDetail | null;
  /**
   * When the store may forget the record entirely: while active, the earlier deadline plus the
   * tombstone TTL; once ended, endedAt plus the tombstone TTL. Stores index it for sweeping and
   * TTL-native stores use it as the key's expiry.
   */
  purgeAt: number;
}

/** Fields a store may change on an active session. */
export type SessionPatch = Partial<
  Pick<
    SessionRecord,
    | 'tokenHash'
    | 'authenticatedAt'
    | 'authMethods'
    | 'lastActiveAt'
    | 'idleExpiresAt'
    | 'purgeAt'
    | 'ipLast'
    | 'locationLast'
    | 'device'
    | 'trustedDeviceId'
    | 'refresh'
    | 'sso'
  >
>;

export interface SessionEnding {
  at: number;
  reason: EndReason;
  detail?: EndDetail | null;
  /** at + tombstone TTL. */
  purgeAt: number;
}

export interface TrustedDeviceRecord {
  id: string;
  userId: string;
  /** SHA-256 of the device cookie's secret. */
  secretHash: string;
  label: string;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
  /**
   * When a second factor was last checked in a sign-in on this browser. Only then may a sign-in
   * from it skip the second factor: "Keep me signed in" on an account without one, or a session an
   * operator started, trusts the browser for staying signed in and nothing more. Records written
   * before this field existed lack it, which counts as never.
   */
  secondFactorAt: number | null;
}

export type EventType =
  | 'session.started'
  | 'session.extended'
  | 'session.refreshed'
  | 'session.reauthenticated'
  /** keepUpstreamFresh refreshed the identity provider's tokens of an SSO session (SPEC §15). */
  | 'session.sso_refreshed'
  | 'session.ended'
  | 'sessions.ended_all'
  | 'session.ip_changed'
  | 'session.device_changed'
  | 'login.failed'
  | 'login.throttled'
  | 'user.created'
  | 'password.changed'
  | 'totp.enabled'
  | 'totp.disabled'
  | 'totp.failed'
  | 'device.trusted'
  | 'device.removed'
  | 'devices.untrusted'
  | 'keys.rotated'
  | 'app_key.created'
  | 'app_key.revoked'
  | 'webhook.created'
  | 'webhook.deleted';

/** An audit-log entry, also the message published to other nodes. Never holds a secret. */
export interface AuditEvent {
  /** Assigned by the store; increases with time within one store (used for SSE resume). */
  id: string;
  type: EventType;
  at: number;
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  reason: EndReason | null;
  data: Record<string, unknown>;
}

export type NewAuditEvent = Omit<AuditEvent, 'id'>;

export interface SigningKeyRecord {
  kid: string;
  alg: 'EdDSA';
  /** Public JWK (JSON). */
  publicJwk: Record<string, unknown>;
  /** Private key, encrypted at rest (format owned by the key ring). */
  privateKeyEncrypted: string;
  createdAt: number;
  /** Once set, no longer signs; stays in the JWKS until `expiresAt`. */
  retiredAt: number | null;
  /** After this the public key leaves the JWKS (retiredAt + access-token TTL). */
  expiresAt: number | null;
}

/** A credential for an app's own backend. Only SHA-256 of its secret is stored. */
export interface AppKeyRecord {
  id: string;
  app: string;
  label: string;
  scopes: AppKeyScope[];
  secretHash: string;
  createdAt: number;
  lastUsedAt: number | null;
}
