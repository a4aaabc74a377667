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

/**
 * How the person proved who they are (RFC 8176 names), as access tokens' `amr` claim carries them:
 * `pwd` a password, `otp` a TOTP or recovery code, `sso` an organisation's identity provider.
 */
export const AUTH_METHODS = ['pwd', 'otp', 'sso'] as const;

export type AuthMethod = (typeof AUTH_METHODS)[number];

/**
 * Event types a webhook may receive (SPEC §12): the audit log's events that tell an app something
 * about a person's sessions or account. Activity (`session.extended`, `session.refreshed`) and the
 * operator's own actions (keys, webhooks) are left out: they would be most of the traffic and none
 * of the news.
 */
export const WEBHOOK_EVENTS = [
  'session.started',
  'session.ended',
  'sessions.ended_all',
  'session.reauthenticated',
  'session.ip_changed',
  'session.device_changed',
  'login.failed',
  'login.throttled',
  'user.created',
  'password.changed',
  'totp.enabled',
  'totp.disabled',
  'device.removed',
  'devices.untrusted',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];
