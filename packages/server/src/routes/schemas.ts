/** JSON schemas shared by routes: validation and documentation from one source. */

export const email = { type: 'string', minLength: 3, maxLength: 254 } as const;
export const password = { type: 'string', minLength: 1, maxLength: 1024 } as const;
export const app = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' } as const;
export const mode = { type: 'string', enum: ['cookie', 'token'] } as const;
/** A 6-digit TOTP code or a recovery code ("7k2q-…", 29 characters), with room for typed spaces. */
export const secondFactorCode = { type: 'string', minLength: 1, maxLength: 64 } as const;
/** Any id sessiond issues: a session's, a user's, a trusted device's or an app key's. */
export const id = { type: 'string', minLength: 1, maxLength: 64 } as const;

export const errorResponse = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        reason: { type: 'string' },
        endedAt: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
      required: ['code', 'message'],
    },
  },
} as const;

const nullableString = { type: ['string', 'null'] } as const;

/** SessionView: also compiles a fast serializer for the hottest answers. */
export const sessionView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    userId: { type: 'string' },
    app: { type: 'string' },
    current: { type: 'boolean' },
    createdAt: { type: 'string' },
    lastActiveAt: { type: 'string' },
    idleExpiresAt: { type: 'string' },
    absoluteExpiresAt: { type: 'string' },
    expiresAt: { type: 'string' },
    warnAt: { type: 'string' },
    rememberMe: { type: 'boolean' },
    trustedDevice: { type: 'boolean' },
    device: {
      type: 'object',
      properties: { browser: nullableString, os: nullableString, type: { type: 'string' }, label: { type: 'string' } },
    },
    location: {
      anyOf: [{ type: 'null' }, { type: 'object', properties: { city: nullableString, region: nullableString, country: nullableString } }],
    },
    ip: nullableString,
  },
} as const;

export const publicUser = {
  type: 'object',
  properties: { id: { type: 'string' }, email: { type: 'string' }, createdAt: { type: 'string' }, totpEnabled: { type: 'boolean' } },
} as const;
