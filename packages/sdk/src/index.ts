/**
 * @sessiond/sdk — the browser side of sessiond (SPEC §6), framework-free, Web APIs only.
 * A React binding lives in `@sessiond/sdk/react`.
 */
export { createSessionClient, type SessionClient, type SessionClientOptions, type SessionRequestInit } from './client.ts';
export { ApiError } from './api-error.ts';
export { ACTIVITY_EVENTS, NO_ACTIVITY_ATTRIBUTE } from './activity.ts';
export { DRAFT_ATTRIBUTE, DRAFT_IGNORE_ATTRIBUTE, Drafts, type Draft, type DraftValue } from './drafts.ts';
export { announcement, formatCountdown, liveAnnouncement, notificationText, timeLeftInWords } from './countdown.ts';
export { askNotificationPermission, notificationPermission, type WarningNotificationPermission } from './hidden-warning.ts';
export type { SessionDataApi, SessionDataSnapshot } from './session-data.ts';
export { newIdempotencyKey } from './idempotency.ts';
export * from './types.ts';
export { BROWSER_CAUSES, BROWSER_CAUSE_MESSAGES, browserSteps, isBrowserCause, type BrowserCause, type BrowserSteps } from './browser-endings.ts';
