/**
 * @sessiond/contract — the wire contract of sessiond's HTTP API, in one place: every route's
 * request and answer schemas (TypeBox: JSON Schema and the TypeScript type from one declaration).
 * The server validates and serialises with them and serves them as OpenAPI; the SDK's wire types
 * are their static types.
 */
import type { Static } from 'typebox';
import { ActivityItem, ActivityList } from './routes/activity.ts';
import { AdminUser, AuditEvent } from './routes/admin.ts';
import { SessionDataView } from './routes/session-data.ts';
import { AppKey } from './routes/app-keys.ts';
import { SignedInCookie, SignedInTokens } from './routes/auth.ts';
import { Ended, SessionList, TrustedDevice } from './routes/sessions.ts';
import { Webhook, WebhookDelivery } from './routes/webhooks.ts';
import { EndReason, ErrorBody, Location, PublicUser, SessionView } from './shared.ts';

export * from './names.ts';
export { ErrorBody, PublicUser, SessionView, ref, errors } from './shared.ts';
export * as activity from './routes/activity.ts';
export * as admin from './routes/admin.ts';
export * as appKeys from './routes/app-keys.ts';
export * as auth from './routes/auth.ts';
export * as session from './routes/session.ts';
export * as sessionData from './routes/session-data.ts';
export * as sessions from './routes/sessions.ts';
export * as service from './routes/service.ts';
export * as tokenMode from './routes/token-mode.ts';
export * as webhooks from './routes/webhooks.ts';
export * as oidc from './routes/oidc.ts';

/** Every schema with an `$id`, for the server to register once; a schema's references come before it. */
export const SHARED_SCHEMAS = [EndReason, PublicUser, Location, SessionView, ErrorBody, SignedInCookie, SignedInTokens, Ended, SessionList, TrustedDevice, AuditEvent, AppKey, AdminUser, Webhook, WebhookDelivery, ActivityItem, ActivityList, SessionDataView];

export type SignedInCookie = Static<typeof SignedInCookie>;
export type SignedInTokens = Static<typeof SignedInTokens>;
export type TrustedDevice = Static<typeof TrustedDevice>;
export type AppKey = Static<typeof AppKey>;
export type ActivityItemView = Static<typeof ActivityItem>;
export type AuditEventView = Static<typeof AuditEvent>;
export type SessionDataWire = Static<typeof SessionDataView>;
