import { Type } from 'typebox';
import { END_REASONS } from '../names.ts';
import { errors, EndReason, ref } from '../shared.ts';

/** Health, metrics, reason messages, the demo backend and the pages: the service around the API. */

export const healthz = {
  summary: 'Liveness',
  response: { 200: Type.Object({ status: Type.String({ examples: ['ok'] }) }, { additionalProperties: false }), ...errors() },
};

export const readyz = {
  summary: 'Readiness: the store is reachable',
  response: { 200: Type.Object({ status: Type.String({ examples: ['ready'] }), store: Type.String() }, { additionalProperties: false }), ...errors() },
};

export const metrics = {
  summary: 'Prometheus metrics (SESSIOND_METRICS=protected: admin token or a metrics:read key)',
  response: { 200: { description: 'Prometheus text format.', content: { 'text/plain': { schema: Type.String() } } }, ...errors(401, 403) },
};

export const reasonMessage = {
  summary: "The message for an ending reason, with this server's numbers",
  params: Type.Object({ reason: Type.Enum(END_REASONS) }),
  querystring: Type.Object({ app: Type.Optional(Type.String({ maxLength: 64 })) }),
  response: { 200: Type.Object({ reason: ref(EndReason), message: Type.String() }, { additionalProperties: false }), ...errors(404) },
};

export const demoExpenseReport = {
  summary: "The demo app's backend: files an expense report once per Idempotency-Key",
  headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 128 })) }),
  body: Type.Unsafe<Record<string, unknown>>({ type: 'object', maxProperties: 50 }),
  response: { 201: Type.Object({ id: Type.String(), duplicate: Type.Boolean() }, { additionalProperties: false }), ...errors(401, 403) },
};

const html = (description: string) => ({ description, content: { 'text/html': { schema: Type.String() } } });

export const page = {
  summary: 'A page of the browser UI',
  response: { 200: html('The page.'), 302: { description: 'To /demo.', type: 'null' }, 503: { description: 'The pages are not built.', content: { 'text/plain': { schema: Type.String() } } } },
};

export const serviceWorker = {
  summary: "The pages' notification service worker (the SDK's sessiond-sw.js)",
  response: { 200: { description: 'A classic script.', content: { 'text/javascript': { schema: Type.String() } } } },
};

export const docs = {
  summary: 'This API reference, readable',
  response: { 200: html('The reference page.') },
};

export const openapi = {
  summary: 'This API as an OpenAPI 3.1 document',
  response: { 200: Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true }) },
};
