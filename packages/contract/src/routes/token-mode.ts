import { Type } from 'typebox';
import { errors, iso, ref, SessionView } from '../shared.ts';

/** Token mode (SPEC §4): refresh rotation and the public keys of access JWTs. */

export const refresh = {
  summary: 'Token mode: rotate the refresh token, get a new access token',
  body: Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 4096 }), passive: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  response: {
    200: Type.Object({ session: ref(SessionView), accessToken: Type.String(), accessTokenExpiresAt: iso, refreshToken: Type.String() }, { additionalProperties: false }),
    ...errors(401, 404, 429),
  },
};

export const jwks = {
  summary: 'Public keys for access JWTs (JWK Set)',
  response: {
    200: Type.Object({ keys: Type.Array(Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true, description: 'An Ed25519 public JWK with kid.' })) }, { additionalProperties: false }),
    ...errors(404),
  },
};
