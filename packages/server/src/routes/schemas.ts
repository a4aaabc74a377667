/** JSON schemas shared by routes: validation and documentation from one source. */

export const email = { type: 'string', minLength: 3, maxLength: 254 } as const;
export const password = { type: 'string', minLength: 1, maxLength: 1024 } as const;
export const app = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' } as const;
export const mode = { type: 'string', enum: ['cookie', 'token'] } as const;
export const sessionId = { type: 'string', minLength: 1, maxLength: 64 } as const;

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
