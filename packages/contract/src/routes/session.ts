import { Type } from 'typebox';
import { errors, NoContent, PublicUser, ref, SessionView } from '../shared.ts';

/** The current session (SPEC §4): who am I, stay signed in, log out, its push channel, the draft key. */

export const eventStream = (description: string) => ({ description, content: { 'text/event-stream': { schema: Type.String() } } });

export const currentSession = {
  summary: 'Who am I: validates the credential',
  response: { 200: Type.Object({ user: ref(PublicUser), session: ref(SessionView) }, { additionalProperties: false }), ...errors(401) },
};

export const extendSession = {
  summary: '"Stay signed in": activity now; never moves absoluteExpiresAt',
  response: { 200: Type.Object({ session: ref(SessionView) }, { additionalProperties: false }), ...errors(401, 403) },
};

export const logout = {
  summary: 'End this session (logged_out); clears the cookie',
  response: { 204: NoContent, ...errors(401, 403) },
};

export const sessionEvents = {
  summary: 'Push channel (Server-Sent Events) of this session',
  description: 'Events: session.state, session.extended, session.ended {reason, message, endedAt}. Holding it open is not activity.',
  response: { 200: eventStream('An event stream that stays open.'), ...errors(401, 429) },
};

export const draftKey = {
  summary: "The key the SDK seals this person's drafts with",
  response: { 200: Type.Object({ key: Type.String() }, { additionalProperties: false }), ...errors(401) },
};

