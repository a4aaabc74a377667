import { Type } from 'typebox';
import { END_REASONS } from '../names.ts';
import { appName, email, errors, id, iso, mode, password, PublicUser, ref } from '../shared.ts';
import { SignedIn } from './auth.ts';
import { eventStream } from './session.ts';
import { Ended, SessionList } from './sessions.ts';

/** The operator API (SPEC §4, §9): the admin token, or an app key within its scopes. */

const adminErrors = (...more: (404 | 409 | 429)[]) => errors(401, 403, ...more);
const userParams = Type.Object({ userId: id });

export const createUser = {
  summary: 'Create a user',
  body: Type.Object({ email, password }, { additionalProperties: false }),
  response: { 201: Type.Object({ user: ref(PublicUser) }, { additionalProperties: false }), ...adminErrors(409) },
};

/** The operator's own id for a person: visible ASCII, no spaces; the path carries it percent-encoded. */
const externalId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7E]+$' });

export const AdminUser = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    createdAt: iso,
    totpEnabled: Type.Boolean(),
    externalId: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
    hasPassword: Type.Boolean({ description: 'false for an account made by external id: no password signs in to it.' }),
  },
  { $id: 'AdminUser', additionalProperties: false, description: 'A user as the operator sees it.' },
);

export const putUserByExternalId = {
  summary: 'Find or create the user your app knows by its own id (idempotent, passwordless)',
  description:
    '201 with the new user when none had this external id (email required then), 200 with the existing one otherwise. ' +
    'It never changes the user: an email other than the account\'s is 409 external_id_conflict; an email another account has is 409 email_taken. ' +
    'The account has no password: start its sessions with POST /v1/admin/sessions.',
  params: Type.Object({ externalId }),
  body: Type.Object({ email: Type.Optional(email) }, { additionalProperties: false }),
  response: { 200: Type.Object({ user: ref(AdminUser) }, { additionalProperties: false }), 201: Type.Object({ user: ref(AdminUser) }, { additionalProperties: false }), ...adminErrors(409) },
};

export const startSession = {
  summary: 'Start a session for a user your own app authenticated; answers like login',
  body: Type.Object(
    {
      userId: id,
      app: Type.Optional(appName),
      rememberMe: Type.Optional(Type.Boolean()),
      ip: Type.Optional(Type.String({ maxLength: 64 })),
      userAgent: Type.Optional(Type.String({ maxLength: 1024 })),
      mode: Type.Optional(mode),
    },
    { additionalProperties: false },
  ),
  response: { 200: SignedIn, ...adminErrors(404, 409) },
};

export const userSessions = {
  summary: "A user's sessions",
  params: userParams,
  response: { 200: ref(SessionList), ...adminErrors(404) },
};

export const revokeUserSessions = {
  summary: "End a user's sessions (revoked_by_admin)",
  params: userParams,
  response: { 200: ref(Ended), ...adminErrors(404) },
};

export const disableUser = {
  summary: 'Disable an account: no sign-in, every session ended',
  params: userParams,
  response: { 200: Type.Object({ disabled: Type.Boolean(), ended: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }), ...adminErrors(404) },
};

export const enableUser = {
  summary: 'Enable a disabled account again',
  params: userParams,
  response: { 200: Type.Object({ disabled: Type.Boolean() }, { additionalProperties: false }), ...adminErrors(404) },
};

export const revokeEverything = {
  summary: 'End every session of every user (global_logout)',
  response: { 200: ref(Ended), ...adminErrors() },
};

export const AuditEvent = Type.Object(
  {
    id: Type.String(),
    type: Type.String({ description: 'session.started, session.ended, login.failed, …' }),
    at: iso,
    userId: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
    sessionId: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
    ip: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
    reason: Type.Unsafe<(typeof END_REASONS)[number] | null>({ enum: [...END_REASONS, null] }),
    data: Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true }),
  },
  { $id: 'AuditEvent', additionalProperties: false },
);

export const audit = {
  summary: 'Audit events, newest first',
  // Query strings are text: coercion is off server-wide so JSON bodies keep strict types.
  querystring: Type.Object({ userId: Type.Optional(id), sessionId: Type.Optional(id), limit: Type.Optional(Type.String({ pattern: '^(1000|[1-9][0-9]{0,2})$' })) }),
  response: { 200: Type.Object({ events: Type.Array(ref(AuditEvent)) }, { additionalProperties: false }), ...adminErrors() },
};

export const rotateKeys = {
  summary: 'New signing key; tokens signed with the old one stay valid until they expire',
  response: { 200: Type.Object({ kid: Type.String(), keys: Type.Array(Type.String()) }, { additionalProperties: false }), ...adminErrors(404) },
};

export const eventsFeed = {
  summary: 'Events feed (Server-Sent Events) for resource servers',
  description: 'session.started, session.ended {sessionId, userId, reason, at}, session.ended_all, keys.rotated; resumes after Last-Event-ID.',
  response: { 200: eventStream('An event stream that stays open.'), ...adminErrors() },
};
