import { webhooks as C } from '@sessiond/contract';
import { SessiondError, type WebhookDelivery, type WebhookView } from '@sessiond/core';
import type { ContractInstance } from '../contract/openapi.ts';
import type { AppContext } from '../context.ts';
import { webhookUrl } from '../webhooks/config-section.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function webhookView(w: WebhookView) {
  return { ...w, createdAt: new Date(w.createdAt).toISOString() };
}

/** The wire form of a delivery: its attempts and next try, never its body (the receiver has that). */
function deliveryView(d: WebhookDelivery) {
  return {
    id: d.id,
    eventId: d.eventId,
    type: d.type,
    status: d.status,
    createdAt: new Date(d.createdAt).toISOString(),
    nextAttemptAt: iso(d.nextAttemptAt),
    attempts: d.attempts.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
  };
}

/**
 * Webhooks (SPEC §12), admin token only: a webhook receives every app's events unless limited, and
 * SPEC §9 gives no app-key scope for it. Registered in the admin scope.
 */
export async function webhookRoutes(f: ContractInstance, app: AppContext): Promise<void> {
  f.post('/v1/admin/webhooks', { schema: C.createWebhook }, async (req, reply) => {
    const url = webhookUrl(req.body.url);
    if (!url) throw new SessiondError('invalid_request.webhook_url', { details: { field: 'url' } });
    for (const a of req.body.apps ?? []) app.sessiond.requireRegisteredApp(a);
    const created = await app.webhooks.create({ url, events: req.body.events, apps: req.body.apps ?? null });
    // The secret is shown this once: no cache may keep it.
    return reply.code(201).header('cache-control', 'no-store').send({ webhook: webhookView(created.webhook), secret: created.secret });
  });

  f.get('/v1/admin/webhooks', { schema: C.listWebhooks }, async (_req, reply) => reply.header('cache-control', 'no-store').send({ webhooks: app.webhooks.list().map(webhookView) }));

  f.delete('/v1/admin/webhooks/:id', { schema: C.deleteWebhook }, async (req, reply) => {
    await app.webhooks.delete(req.params.id);
    return reply.code(204).send();
  });

  f.get('/v1/admin/webhooks/:id/deliveries', { schema: C.webhookDeliveries }, async (req, reply) => {
    const w = app.webhooks.find(req.params.id);
    const deliveries = await app.sessiond.store.listDeliveries(w.id, Number(req.query.limit ?? 100));
    return reply.header('cache-control', 'no-store').send({ deliveries: deliveries.map(deliveryView) });
  });
}
