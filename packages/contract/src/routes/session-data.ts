import { Type } from 'typebox';
import { errors, id, ref } from '../shared.ts';

/** A session's own server-side data (SPEC §13): the person's routes and the app key's. */

const data = Type.Unknown({ description: 'Any JSON value, at most 16 KiB as JSON text; null until first written.' });
export const SessionDataView = Type.Object(
  { data, version: Type.Integer({ minimum: 0, description: 'Send it back as If-Match to write; 0 until first written.' }) },
  { $id: 'SessionDataView', additionalProperties: false },
);
const written = Type.Object({ version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const body = Type.Object({ data }, { additionalProperties: false, required: ['data'] });
const ifMatch = Type.Object({ 'if-match': Type.Optional(Type.String({ maxLength: 32, description: 'The version last read, e.g. 3 or "3" (required).' })) });
const params = Type.Object({ id });

export const readData = {
  summary: "This session's data and its version",
  response: { 200: ref(SessionDataView), ...errors(401) },
};

export const writeData = {
  summary: "Replace this session's data, over the version last read (If-Match)",
  description: '412 version_conflict when another write came first (details.version is the current one); 413 over 16 KiB.',
  headers: ifMatch,
  body,
  response: { 200: written, ...errors(401, 403, 412) },
};

export const adminReadData = {
  summary: "A session's data (app keys with sessions:write: their app's sessions)",
  params,
  response: { 200: ref(SessionDataView), ...errors(401, 403, 404) },
};

export const adminWriteData = {
  summary: "Replace a session's data over the version last read (If-Match)",
  params,
  headers: ifMatch,
  body,
  response: { 200: written, ...errors(401, 403, 404, 412) },
};
