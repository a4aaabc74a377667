import { Type } from 'typebox';
import { EndReason, errors, iso, Location, ref } from '../shared.ts';

/** The person's own security history (SPEC §13). */

const nullableString = Type.Unsafe<string | null>({ type: ['string', 'null'] });

export const ActivityItem = Type.Object(
  {
    id: Type.String({ description: 'Pass it as `before` to page on.' }),
    type: Type.Enum(['session.started', 'session.ended', 'login.failed', 'password.changed', 'totp.enabled', 'totp.disabled', 'device.trusted', 'device.removed', 'devices.untrusted']),
    at: iso,
    sessionId: nullableString,
    app: nullableString,
    device: Type.Unsafe<string | null>({ type: ['string', 'null'], description: 'Reads like "Chrome on macOS".' }),
    location: Type.Union([ref(Location), Type.Null()], { description: 'Approximate, from the address the event came from.' }),
    reason: Type.Optional(ref(EndReason)),
    newDevice: Type.Optional(Type.Boolean({ description: 'session.started: the first sign-in to this account from this browser.' })),
    count: Type.Optional(Type.Integer({ minimum: 1, description: 'login.failed: how many failed attempts in a row this item stands for.' })),
    message: Type.String({ description: 'Written for the person: "Signed out from Chrome on Windows — you logged it out from iPhone".' }),
  },
  { $id: 'ActivityItem', additionalProperties: false },
);

export const ActivityList = Type.Object({ events: Type.Array(ref(ActivityItem)) }, { $id: 'ActivityList', additionalProperties: false });

export const listActivity = {
  summary: "The signed-in person's own recent activity (90 days), newest first",
  querystring: Type.Object(
    {
      limit: Type.Optional(Type.String({ pattern: '^(100|[1-9][0-9]?)$', description: '1–100, default 20.' })),
      // An event id of any store: decimal (SQLite, PostgreSQL, memory) or a Redis stream id.
      before: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}(-[0-9]{1,20})?$', description: 'An `id` from the previous page.' })),
    },
  ),
  response: { 200: ref(ActivityList), ...errors(401) },
};
