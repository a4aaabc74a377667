import type { AuditEvent, SessionPatch, SessionRecord, TrustedDevicePatch, TrustedDeviceRecord, UserRecord } from '@sessiond/core';
import type { PatchColumn } from './patch-writer.ts';

/**
 * Column ↔ record mapping. Scalars get columns of their own (indexes and conditions need them);
 * the few nested values (device, locations, refresh state, ending detail) are JSON text.
 */

export interface SessionRow {
  id: string;
  token_hash: string;
  user_id: string;
  app: string;
  mode: string;
  created_at: number;
  authenticated_at: number;
  auth_methods: string | null;
  last_active_at: number;
  idle_expires_at: number;
  absolute_expires_at: number;
  idle_timeout_ms: number;
  remember_me: number;
  device: string;
  ip_first: string | null;
  ip_last: string | null;
  location_first: string | null;
  location_last: string | null;
  trusted_device_id: string | null;
  app_key_id: string | null;
  browser_id: string | null;
  refresh: string | null;
  sso: string | null;
  ended_at: number | null;
  end_reason: string | null;
  end_detail: string | null;
  purge_at: number;
}

const json = <T>(v: string | null): T | null => (v === null ? null : (JSON.parse(v) as T));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

export function sessionFromRow(r: SessionRow): SessionRecord {
  return {
    id: r.id,
    tokenHash: r.token_hash,
    userId: r.user_id,
    app: r.app,
    mode: r.mode as SessionRecord['mode'],
    createdAt: r.created_at,
    authenticatedAt: r.authenticated_at,
    authMethods: json(r.auth_methods),
    lastActiveAt: r.last_active_at,
    idleExpiresAt: r.idle_expires_at,
    absoluteExpiresAt: r.absolute_expires_at,
    idleTimeoutMs: r.idle_timeout_ms,
    rememberMe: r.remember_me === 1,
    device: JSON.parse(r.device) as SessionRecord['device'],
    ipFirst: r.ip_first,
    ipLast: r.ip_last,
    locationFirst: json(r.location_first),
    locationLast: json(r.location_last),
    trustedDeviceId: r.trusted_device_id,
    appKeyId: r.app_key_id,
    browserId: r.browser_id,
    refresh: json(r.refresh),
    // Only when set: other sessions read as they did before the column existed.
    ...(r.sso ? { sso: JSON.parse(r.sso) as SessionRecord['sso'] } : {}),
    endedAt: r.ended_at,
    endReason: r.end_reason as SessionRecord['endReason'],
    endDetail: json(r.end_detail),
    purgeAt: r.purge_at,
  };
}

export function sessionToRow(s: SessionRecord): SessionRow {
  return {
    id: s.id,
    token_hash: s.tokenHash,
    user_id: s.userId,
    app: s.app,
    mode: s.mode,
    created_at: s.createdAt,
    authenticated_at: s.authenticatedAt,
    auth_methods: text(s.authMethods),
    last_active_at: s.lastActiveAt,
    idle_expires_at: s.idleExpiresAt,
    absolute_expires_at: s.absoluteExpiresAt,
    idle_timeout_ms: s.idleTimeoutMs,
    remember_me: s.rememberMe ? 1 : 0,
    device: JSON.stringify(s.device),
    ip_first: s.ipFirst,
    ip_last: s.ipLast,
    location_first: text(s.locationFirst),
    location_last: text(s.locationLast),
    trusted_device_id: s.trustedDeviceId,
    app_key_id: s.appKeyId,
    browser_id: s.browserId ?? null,
    refresh: text(s.refresh),
    sso: text(s.sso),
    ended_at: s.endedAt,
    end_reason: s.endReason,
    end_detail: text(s.endDetail),
    purge_at: s.purgeAt,
  };
}

/** The columns a SessionPatch may write, in a fixed order (PatchWriter's bitmask follows it). */
export const SESSION_PATCH_COLUMNS: readonly PatchColumn<SessionPatch>[] = [
  { key: 'lastActiveAt', column: 'last_active_at' },
  { key: 'idleExpiresAt', column: 'idle_expires_at' },
  { key: 'purgeAt', column: 'purge_at' },
  { key: 'ipLast', column: 'ip_last' },
  { key: 'locationLast', column: 'location_last', encode: text },
  { key: 'device', column: 'device', encode: (v: SessionRecord['device']) => JSON.stringify(v) },
  { key: 'tokenHash', column: 'token_hash' },
  { key: 'authenticatedAt', column: 'authenticated_at' },
  { key: 'trustedDeviceId', column: 'trusted_device_id' },
  { key: 'refresh', column: 'refresh', encode: text },
  { key: 'authMethods', column: 'auth_methods', encode: text },
  { key: 'sso', column: 'sso', encode: text },
];

export interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  created_at: number;
  password_changed_at: number;
  totp_secret: string | null;
  totp_enabled: number;
  recovery_code_hashes: string;
  totp_last_step: number | null;
  disabled_at: number | null;
  external_id: string | null;
}

/**
 * The column is NOT NULL since the first schema (SQLite cannot drop that in place): an account
 * without a password stores '', which no argon2id PHC string ever is.
 */
const NO_PASSWORD = '';
export const passwordColumn = (hash: string | null): string => hash ?? NO_PASSWORD;

export function userFromRow(r: UserRow): UserRecord {
  return {
    id: r.id,
    email: r.email,
    passwordHash: r.password_hash === NO_PASSWORD ? null : r.password_hash,
    createdAt: r.created_at,
    passwordChangedAt: r.password_changed_at,
    totpSecret: r.totp_secret,
    totpEnabled: r.totp_enabled === 1,
    recoveryCodeHashes: JSON.parse(r.recovery_code_hashes) as string[],
    totpLastStep: r.totp_last_step ?? null,
    disabledAt: r.disabled_at ?? null,
    externalId: r.external_id ?? null,
  };
}

export type { UserPatch } from '@sessiond/core';
import type { UserPatch } from '@sessiond/core';

export const USER_PATCH_COLUMNS: readonly PatchColumn<UserPatch>[] = [
  { key: 'passwordHash', column: 'password_hash', encode: passwordColumn },
  { key: 'passwordChangedAt', column: 'password_changed_at' },
  { key: 'totpSecret', column: 'totp_secret' },
  { key: 'totpEnabled', column: 'totp_enabled', encode: (v: boolean) => (v ? 1 : 0) },
  { key: 'recoveryCodeHashes', column: 'recovery_code_hashes', encode: (v: string[]) => JSON.stringify(v) },
  { key: 'totpLastStep', column: 'totp_last_step' },
  { key: 'disabledAt', column: 'disabled_at' },
];

export type DevicePatch = TrustedDevicePatch;

export const DEVICE_PATCH_COLUMNS: readonly PatchColumn<DevicePatch>[] = [
  { key: 'lastUsedAt', column: 'last_used_at' },
  { key: 'expiresAt', column: 'expires_at' },
  { key: 'label', column: 'label' },
  { key: 'secondFactorAt', column: 'second_factor_at' },
];

export interface DeviceRow {
  id: string;
  user_id: string;
  secret_hash: string;
  label: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  second_factor_at: number | null;
}

export function deviceFromRow(r: DeviceRow): TrustedDeviceRecord {
  return { id: r.id, userId: r.user_id, secretHash: r.secret_hash, label: r.label, createdAt: r.created_at, lastUsedAt: r.last_used_at, expiresAt: r.expires_at, secondFactorAt: r.second_factor_at };
}

export interface EventRow {
  id: number;
  type: string;
  at: number;
  user_id: string | null;
  session_id: string | null;
  ip: string | null;
  reason: string | null;
  data: string;
}

export function eventFromRow(r: EventRow): AuditEvent {
  return {
    id: String(r.id),
    type: r.type as AuditEvent['type'],
    at: r.at,
    userId: r.user_id,
    sessionId: r.session_id,
    ip: r.ip,
    reason: r.reason as AuditEvent['reason'],
    data: JSON.parse(r.data) as Record<string, unknown>,
  };
}
