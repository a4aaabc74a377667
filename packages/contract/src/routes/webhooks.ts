import { Type } from 'typebox';
import { WEBHOOK_EVENTS } from '../names.ts';
import { appName, errors, id, iso, NoContent, ref } from '../shared.ts';

/** Webhooks (SPEC §12): managed with the admin token only; no app-key scope opens these routes. */

const nullableIso = Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time' });

export const Webhook = Type.Object(
  {
    id: Type.String(),
    url: Type.String(),
    events: Type.Array(Type.Enum(WEBHOOK_EVENTS)),
    apps: Type.Unsafe<string[] | null>({ type: ['array', 'null'], items: { type: 'string' }, description: 'Only these apps’ events (and global endings); null: every app.' }),
    source: Type.Enum(['config', 'api'], { description: 'config: from SESSIOND_CONFIG (removed there); api: made with POST /v1/admin/webhooks.' }),
    createdAt: iso,
  },
  { $id: 'Webhook', additionalProperties: false },
);

export const WebhookDelivery = Type.Object(
  {
    id: Type.String({ description: 'The webhook-id header: the same on every retry.' }),
    eventId: Type.String(),
    type: Type.String(),
    status: Type.Enum(['pending', 'delivered', 'failed'], { description: 'failed: given up after the retry window (24 h by default).' }),
    createdAt: iso,
    nextAttemptAt: nullableIso,
    attempts: Type.Array(
      Type.Object(
        {
          at: iso,
          statusCode: Type.Unsafe<number | null>({ type: ['integer', 'null'], description: 'The receiver’s HTTP status; null when it did not answer.' }),
          error: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
          durationMs: Type.Integer({ minimum: 0 }),
        },
        { additionalProperties: false },
      ),
      { description: 'Oldest first; the last 20.' },
    ),
  },
  { $id: 'WebhookDelivery', additionalProperties: false },
);

export const createWebhook = {
  summary: 'Register a webhook; its signing secret (whsec_…) is shown this once',
  body: Type.Object(
    {
      url: Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) URL that receives POSTs signed per Standard Webhooks.' }),
      events: Type.Array(Type.Enum(WEBHOOK_EVENTS), { minItems: 1, maxItems: WEBHOOK_EVENTS.length, uniqueItems: true }),
      apps: Type.Optional(Type.Array(appName, { minItems: 1, maxItems: 64, uniqueItems: true })),
    },
    { additionalProperties: false },
  ),
  response: { 201: Type.Object({ webhook: ref(Webhook), secret: Type.String() }, { additionalProperties: false }), ...errors(401, 403) },
};

export const listWebhooks = {
  summary: 'Every webhook (never their secrets)',
  response: { 200: Type.Object({ webhooks: Type.Array(ref(Webhook)) }, { additionalProperties: false }), ...errors(401, 403) },
};

export const deleteWebhook = {
  summary: 'Remove a webhook; its pending deliveries are not sent',
  params: Type.Object({ id }),
  response: { 204: NoContent, ...errors(401, 403, 404) },
};

export const webhookDeliveries = {
  summary: "A webhook's deliveries and their attempts, newest first",
  params: Type.Object({ id }),
  querystring: Type.Object({ limit: Type.Optional(Type.String({ pattern: '^(1000|[1-9][0-9]{0,2})$' })) }),
  response: { 200: Type.Object({ deliveries: Type.Array(ref(WebhookDelivery)) }, { additionalProperties: false }), ...errors(401, 403, 404) },
};
