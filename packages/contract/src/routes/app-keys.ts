import { Type } from 'typebox';
import { APP_KEY_SCOPES } from '../names.ts';
import { appName, errors, id, iso, NoContent, ref } from '../shared.ts';

/** App keys (SPEC §9): managed with the admin token only. */

export const AppKey = Type.Object(
  {
    id: Type.String(),
    app: Type.String(),
    label: Type.String(),
    scopes: Type.Array(Type.Enum(APP_KEY_SCOPES)),
    createdAt: iso,
    lastUsedAt: Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time' }),
  },
  { $id: 'AppKey', additionalProperties: false },
);

const appParams = Type.Object({ app: appName });

export const createAppKey = {
  summary: 'Create an app key; its secret is shown this once',
  params: appParams,
  body: Type.Object(
    {
      label: Type.String({ minLength: 1, maxLength: 100 }),
      scopes: Type.Array(Type.Enum(APP_KEY_SCOPES), { minItems: 1, maxItems: APP_KEY_SCOPES.length, uniqueItems: true }),
    },
    { additionalProperties: false },
  ),
  response: { 201: Type.Object({ key: ref(AppKey), secret: Type.String() }, { additionalProperties: false }), ...errors(401, 403, 404) },
};

export const listAppKeys = {
  summary: "An app's keys (never their secrets)",
  params: appParams,
  response: { 200: Type.Object({ keys: Type.Array(ref(AppKey)) }, { additionalProperties: false }), ...errors(401, 403, 404) },
};

export const revokeAppKey = {
  summary: 'Revoke an app key (on every node within 1 s)',
  params: Type.Object({ app: appName, id }),
  response: { 204: NoContent, ...errors(401, 403, 404) },
};
