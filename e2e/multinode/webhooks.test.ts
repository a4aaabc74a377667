import { afterAll, describe, expect, it } from 'vitest';
import { inSessionOrder, until, WebhookReceiver } from '../api/webhook-receiver.ts';
import { Client, startServer, storeNamespace, type ServerProcess } from '../harness.ts';

const ADMIN = 'admin-token-for-tests-0123456789';
const PASSWORD = 'correct horse battery';
const redis = process.env.REDIS_URL;
const postgres = process.env.DATABASE_URL;
if (!redis) console.warn('multinode: REDIS_URL is not set; the Redis webhook test is SKIPPED');
if (!postgres) console.warn('multinode: DATABASE_URL is not set; the PostgreSQL webhook test is SKIPPED');

const drops: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(drops.map((d) => d())));

describe.each([
  ['redis', redis],
  ['postgres', postgres],
] as const)('webhooks on two nodes on %s', (_kind, base) => {
  it.skipIf(!base)('a webhook made on A is served by both; each event is queued once and delivered once, in order per session', async () => {
    const ns = storeNamespace(base!, 'hooks');
    drops.push(ns.drop);
    const receiver = new WebhookReceiver();
    await receiver.up();
    // A receiver that fails now and then makes both nodes retry, and so compete for the same deliveries.
    receiver.answer = (n) => (n % 3 === 0 ? 503 : 204);
    const nodes: ServerProcess[] = await Promise.all([0, 1].map(() => startServer({ SESSIOND_STORE: ns.url, SESSIOND_ADMIN_TOKEN: ADMIN, SESSIOND_WEBHOOK_RETRY_BASE: '50ms' })));
    try {
      const [a, b] = nodes.map((n) => new Client(n.url, { authorization: `Bearer ${ADMIN}` })) as [Client, Client];
      const made = await a.post('/v1/admin/webhooks', { url: receiver.url, events: ['session.started', 'session.ended'] });
      expect(made.status).toBe(201);
      receiver.useSecret(made.json.secret);
      await a.post('/v1/admin/users', { email: 'hooks2@example.com', password: PASSWORD });
      // B learns of the new webhook through the feed.
      await until(async () => (await b.get('/v1/admin/webhooks')).json.webhooks.length === 1, 5_000, 'B to list the webhook');
      const expected = new Map<string, string[]>();
      for (let i = 0; i < 6; i++) {
        const node = nodes[i % 2]!;
        const c = new Client(node.url);
        const r = await c.post('/v1/login', { email: 'hooks2@example.com', password: PASSWORD });
        expect(r.status).toBe(200);
        // Ended on the other node: its two events are queued by different nodes.
        const other = new Client(nodes[(i + 1) % 2]!.url, { authorization: `Bearer ${r.json.token}` });
        expect((await other.post('/v1/logout')).status).toBe(204);
        expected.set(r.json.session.id, ['session.started', 'session.ended']);
      }
      await until(() => receiver.unique().length >= 12, 15_000, 'twelve deliveries');
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.rejected).toBe(0);
      // Queued once per event: 12 messages, and a healthy answer was never sent twice.
      expect(receiver.unique()).toHaveLength(12);
      expect(receiver.received).toHaveLength(12);
      inSessionOrder(receiver.unique(), expected);
      const deliveries = (await b.get(`/v1/admin/webhooks/${made.json.webhook.id}/deliveries`)).json.deliveries;
      expect(deliveries).toHaveLength(12);
      expect(deliveries.every((d: any) => d.status === 'delivered')).toBe(true);
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      await receiver.down();
    }
  });
});
