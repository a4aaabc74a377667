import { Type } from 'typebox';
import { errors, id, iso, NoContent, ref, SessionView } from '../shared.ts';

/** The person's Active sessions and trusted devices (SPEC §4). */

export const Ended = Type.Object({ ended: Type.Integer({ minimum: 0, description: 'How many sessions ended.' }) }, { $id: 'Ended', additionalProperties: false });
export const SessionList = Type.Object({ sessions: Type.Array(ref(SessionView)) }, { $id: 'SessionList', additionalProperties: false });
const byId = Type.Object({ id }, { additionalProperties: false });

export const listSessions = {
  summary: "The user's active sessions, current first, then by lastActiveAt",
  response: { 200: ref(SessionList), ...errors(401) },
};

export const revokeSession = {
  summary: 'End one other session (revoked), optionally untrusting its device',
  params: byId,
  querystring: Type.Object({ forgetDevice: Type.Optional(Type.Enum(['0', '1', 'true', 'false'])) }),
  response: { 204: NoContent, ...errors(401, 403, 404, 409) },
};

export const revokeOthers = {
  summary: 'End all sessions but this one (revoked)',
  response: { 200: ref(Ended), ...errors(401, 403) },
};

export const revokeBrowser = {
  summary: "End every session of one of the person's other browsers (revoked): one row of Active sessions",
  body: Type.Object({ browserId: id, forgetDevice: Type.Optional(Type.Boolean({ description: "Also untrust the browser's trusted device." })) }, { additionalProperties: false }),
  response: { 200: ref(Ended), ...errors(401, 403, 404, 409) },
};

export const revokeAll = {
  summary: 'End all sessions, this one included (revoked_all); clears the cookie',
  response: { 200: ref(Ended), ...errors(401, 403) },
};

export const TrustedDevice = Type.Object(
  { id: Type.String(), label: Type.String(), createdAt: iso, lastUsedAt: iso, expiresAt: iso, current: Type.Boolean() },
  { $id: 'TrustedDevice', additionalProperties: false },
);

export const listDevices = {
  summary: 'Trusted devices',
  response: { 200: Type.Object({ devices: Type.Array(ref(TrustedDevice)) }, { additionalProperties: false }), ...errors(401) },
};

export const removeDevice = {
  summary: 'Untrust a device',
  params: byId,
  response: { 204: NoContent, ...errors(401, 403, 404) },
};
