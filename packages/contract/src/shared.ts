import { Type, type Static, type TSchema } from 'typebox';
import { END_REASONS } from './names.ts';

/**
 * The shapes several answers share, each with an `$id`: routes point at them with `$ref`, the
 * server registers them once (`SHARED_SCHEMAS`), and the OpenAPI document lists them as components.
 */

/** `{$ref: id}` on the wire, the referenced type for TypeScript (TypeBox's own Ref is untyped). */
export function ref<T extends TSchema>(schema: T): T {
  const id = (schema as { $id?: unknown }).$id;
  if (typeof id !== 'string') throw new Error('ref() needs a schema with an $id');
  return Type.Ref(id) as unknown as T;
}

const isoTime = Type.String({ format: 'date-time' });
const nullableString = Type.Unsafe<string | null>({ type: ['string', 'null'] });

export const EndReason = Type.Enum(END_REASONS, { $id: 'EndReason', description: 'Why a session ended (SPEC §5).' });

export const PublicUser = Type.Object(
  { id: Type.String(), email: Type.String(), createdAt: isoTime, totpEnabled: Type.Boolean() },
  { $id: 'PublicUser', additionalProperties: false },
);
export type PublicUser = Static<typeof PublicUser>;

export const Location = Type.Object({ city: nullableString, region: nullableString, country: nullableString }, { $id: 'Location', additionalProperties: false });

export const SessionView = Type.Object(
  {
    id: Type.String(),
    userId: Type.String(),
    app: Type.String(),
    current: Type.Boolean(),
    createdAt: isoTime,
    lastActiveAt: isoTime,
    idleExpiresAt: isoTime,
    absoluteExpiresAt: isoTime,
    expiresAt: Type.String({ format: 'date-time', description: 'The earlier of idleExpiresAt and absoluteExpiresAt.' }),
    warnAt: Type.String({ format: 'date-time', description: 'expiresAt − SESSIOND_WARNING_BEFORE.' }),
    rememberMe: Type.Boolean(),
    trustedDevice: Type.Boolean(),
    device: Type.Object(
      { browser: nullableString, os: nullableString, type: Type.String(), label: Type.String({ description: 'Reads like "Chrome on macOS".' }) },
      { additionalProperties: false },
    ),
    location: Type.Union([ref(Location), Type.Null()]),
    ip: nullableString,
    sso: Type.Union(
      [Type.Object({ provider: Type.String({ description: 'The configured provider name.' }), label: Type.String({ description: 'Shown as "Sign in with <label>".' }) }, { additionalProperties: false }), Type.Null()],
      { description: "The organisation's identity provider this session was signed in through (SPEC §15), else null." },
    ),
    // Optional in the type only, so clients written before it still type-check; always sent.
    browserId: Type.Optional(
      Type.Unsafe<string | null>({
        type: ['string', 'null'],
        description: "The same for every session signed in from one browser (sessiond's long-lived browser cookie; not a credential); null when none came with it (token mode, the admin API).",
      }),
    ),
  },
  { $id: 'SessionView', additionalProperties: false, description: 'What a client may see of a session (SPEC §4).' },
);
export type SessionView = Static<typeof SessionView>;

export const ErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ description: 'Stable error code (SPEC §5), e.g. invalid_request, session_ended.' }),
        message: Type.String({ description: 'Written for the person in front of the screen.' }),
        reason: Type.Optional(ref(EndReason)),
        endedAt: Type.Optional(isoTime),
        details: Type.Optional(Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true, description: 'For invalid_request: `field` names the field. For a relay\'s forbidden: `field` is `X-Sessiond-App-Key` (or `app`), the app key the relay sent. For invalid_token: `credential: "damaged"` when the value is not even shaped like a token sessiond issues (truncated, re-encoded). For invalid_credentials on a cookie-mode `choiceToken`: `browserCookie: "missing"` when the browser sent back no browser cookie (it blocks or dropped the one that came with the question).' })),
      },
      { additionalProperties: false },
    ),
  },
  { $id: 'ErrorBody', additionalProperties: false },
);
export type ErrorBody = Static<typeof ErrorBody>;


/** Which codes each error status carries (SPEC §5), for the document's descriptions. */
const ERROR_STATUSES = {
  400: 'invalid_request: malformed JSON, wrong types, missing fields; details.field names the field',
  401: 'unauthenticated, invalid_token, session_ended (reason, endedAt), invalid_credentials, totp_required',
  403: 'csrf_failed, forbidden, reauth_required',
  404: 'not_found',
  409: 'email_taken, current_session, concurrent_limit, external_id_conflict',
  412: 'version_conflict: written over a newer version (details.version is the current one)',
  429: 'rate_limited (Retry-After)',
  503: 'store_unavailable, provider_unavailable (Retry-After): never reported as session_ended',
} as const;
export type ErrorStatus = keyof typeof ERROR_STATUSES;

/**
 * The error answers of a route: the statuses it names, plus any other 4xx/5xx (413, 415, 500…)
 * in the same shape, so every answer has a documented schema.
 */
export function errors<S extends ErrorStatus>(...statuses: S[]): Record<S | 400 | 503 | '4xx' | '5xx', typeof ErrorBody> {
  const out: Record<string, TSchema> = {};
  for (const s of [...new Set<ErrorStatus>([400, ...statuses, 503])].sort()) out[s] = Type.Ref('ErrorBody', { description: ERROR_STATUSES[s] });
  out['4xx'] = Type.Ref('ErrorBody', { description: 'Any other client error (413 body too large, 415 not JSON…).' });
  out['5xx'] = Type.Ref('ErrorBody', { description: 'A server error.' });
  return out as Record<S | 400 | 503 | '4xx' | '5xx', typeof ErrorBody>;
}

/** An answer without a body. */
export const NoContent = Type.Unsafe<undefined>({ type: 'null', description: 'No content.' });

/** Request fields used by several routes. */
export const email = Type.String({ minLength: 3, maxLength: 254 });
export const password = Type.String({ minLength: 1, maxLength: 1024 });
export const appName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' });
export const mode = Type.Enum(['cookie', 'token']);
/** A 6-digit TOTP code or a recovery code ("7k2q-…", 29 characters), with room for typed spaces. */
export const secondFactorCode = Type.String({ minLength: 1, maxLength: 64 });
/** Session, user, device and key ids: opaque, bounded. */
export const id = Type.String({ minLength: 1, maxLength: 64 });
export const iso = isoTime;
