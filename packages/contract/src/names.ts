/**
 * The wire's closed lists of names. Plain data without TypeBox, so the browser SDK and core can
 * import them at run time without the schema library; the schemas are built from them.
 */

/** Why a session ended (SPEC §5). */
export const END_REASONS = [
  'idle_timeout',
  'absolute_timeout',
  'logged_out',
  'revoked',
  'revoked_all',
  'revoked_by_admin',
  'password_changed',
  'concurrent_limit',
  'ip_changed',
  'device_changed',
  'refresh_token_reused',
  'global_logout',
  'sso_logout',
  'sso_ended',
] as const;

export type EndReason = (typeof END_REASONS)[number];

export function isEndReason(v: unknown): v is EndReason {
  return typeof v === 'string' && (END_REASONS as readonly string[]).includes(v);
}

/** What an app key may do (SPEC §9); each scope is for the key's own app only. */
export const APP_KEY_SCOPES = ['sessions:write', 'sessions:read', 'events:read', 'users:write', 'metrics:read'] as const;

export type AppKeyScope = (typeof APP_KEY_SCOPES)[number];
