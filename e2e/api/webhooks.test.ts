import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ADMIN_TOKEN, adminClient, Client, PROCESS_STARTS_TIMEOUT_MS, runCli, startAdminServer, startServer, type ServerProcess } from '../harness.ts';
import { inSessionOrder, until, WebhookReceiver } from './webhook-receiver.ts';

const PASSWORD = 'correct horse battery';
const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const FIREFOX_WIN = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0';
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
// Retries after 50 ms, 100 ms, 200 ms…: an outage of a second is a handful of attempts.
const FAST = { SESSIOND_WEBHOOK_RETRY_BASE: '50ms', SESSIOND_WEBHOOK_TIMEOUT: '1s' };

/** A sign-in from a browser of its own, or from the browser that holds `sameBrowserAs`'s browser cookie. */
async function signIn(server: ServerProcess, email: string, userAgent: string, app = 'web', sameBrowserAs?: Client) {
  const c = new Client(server.url, { 'user-agent': userAgent });
  const browser = sameBrowserAs?.cookies.get('sessiond_browser');
  if (browser) c.cookies.set('sessiond_browser', browser);
  const r = await c.post('/v1/login', { email, password: PASSWORD, app });
  expect(r.status).toBe(200);
  return { client: c, sessionId: r.json.session.id as string };
}

describe('webhooks (SPEC §12)', () => {
  const configured = new WebhookReceiver(newSecret());
  const made = new WebhookReceiver();
  let server: ServerProcess;
  let admin: Client;
  let webhookId: string;
  let configDir: string;

  beforeAll(async () => {
    await configured.up();
    configDir = mkdtempSync(join(tmpdir(), 'sessiond-webhooks-'));
    const config = join(configDir, 'config.json');
    writeFileSync(config, JSON.stringify({ webhooks: [{ url: configured.url, events: ['session.started', 'session.ended'], secret: configured.secret, apps: ['desktop'] }] }));
    ({ server, admin } = await startAdminServer({ SESSIOND_CONFIG: config, ...FAST }));
    expect((await admin.post('/v1/admin/users', { email: 'hooks@example.com', password: PASSWORD })).status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    await configured.down();
    await made.down();
  });

  it('registers a webhook with the admin token, shows its whsec_ secret once, and lists both kinds without secrets', async () => {
    // The secret is made by the server: the receiver learns it from the answer, as an operator would.
    await made.up();
    const r = await admin.post('/v1/admin/webhooks', { url: made.url, events: ['session.started', 'session.ended', 'password.changed'] });
    expect(r.status).toBe(201);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.json.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(r.json.secret.slice(6), 'base64').length).toBe(32);
    expect(r.json.webhook).toMatchObject({ url: made.url, apps: null, source: 'api' });
    webhookId = r.json.webhook.id;
    made.useSecret(r.json.secret);
    const list = await admin.get('/v1/admin/webhooks');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain('whsec_');
    expect(list.json.webhooks.map((w: any) => [w.url, w.source, w.apps])).toEqual([
      [configured.url, 'config', ['desktop']],
      [made.url, 'api', null],
    ]);
  });

  it('refuses bad registrations with 400 naming the field, app keys with 403, and no credential with 401', async () => {
    for (const [body, field] of [
      [{ url: 'ftp://example.com/x', events: ['session.started'] }, 'url'],
      [{ url: 'https://user:pw@example.com/x', events: ['session.started'] }, 'url'],
      [{ url: 'https://example.com/x', events: ['session.extended'] }, 'events'],
      [{ url: 'https://example.com/x', events: [] }, 'events'],
      [{ url: 'https://example.com/x', events: ['session.started'], apps: ['nope'] }, 'app'],
    ] as const) {
      const r = await admin.post('/v1/admin/webhooks', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('invalid_request');
      expect(JSON.stringify(r.json.error.details ?? {})).toContain(field);
    }
    const key = await admin.post('/v1/admin/apps/web/keys', { label: 'web backend', scopes: ['sessions:read', 'events:read'] });
    const appKey = new Client(server.url, { authorization: `Bearer ${key.json.secret}` });
    expect((await appKey.get('/v1/admin/webhooks')).status).toBe(403);
    expect((await appKey.post('/v1/admin/webhooks', { url: made.url, events: ['session.started'] })).status).toBe(403);
    expect((await new Client(server.url).get('/v1/admin/webhooks')).status).toBe(401);
    expect((await admin.get('/v1/admin/webhooks/wh_nope/deliveries')).status).toBe(404);
  });

  it('delivers signed session.started (newDevice only for a browser new to the account) and session.ended with its reason, in order', async () => {
    const first = await signIn(server, 'hooks@example.com', CHROME_MAC);
    // The same browser again (its browser cookie): not a new device.
    const again = await signIn(server, 'hooks@example.com', CHROME_MAC, 'web', first.client);
    const other = await signIn(server, 'hooks@example.com', FIREFOX_WIN);
    expect((await first.client.post('/v1/logout')).status).toBe(204);
    await until(() => made.unique().length >= 4, 10_000, 'four deliveries');
    expect(made.rejected).toBe(0);
    const started = made.unique().filter((r) => r.type === 'session.started');
    expect(started.map((r) => [r.data.sessionId, r.data.newDevice])).toEqual([
      [first.sessionId, true],
      [again.sessionId, false],
      [other.sessionId, true],
    ]);
    expect(started[0]!.data).toMatchObject({ userId: expect.any(String), app: 'web', device: 'Chrome on macOS' });
    const ended = made.unique().find((r) => r.type === 'session.ended')!;
    expect(ended.data).toMatchObject({ sessionId: first.sessionId, reason: 'logged_out', endedAt: expect.any(String) });
    inSessionOrder(made.unique(), new Map([[first.sessionId, ['session.started', 'session.ended']]]));
    // The config file's webhook is for the desktop app only: none of these web sessions reached it.
    expect(configured.requests).toBe(0);

    const d = await admin.get(`/v1/admin/webhooks/${webhookId}/deliveries`);
    expect(d.status).toBe(200);
    expect(d.json.deliveries).toHaveLength(4);
    for (const x of d.json.deliveries) {
      expect(x).toMatchObject({ status: 'delivered', nextAttemptAt: null });
      expect(x.attempts).toEqual([{ at: expect.any(String), statusCode: 204, error: null, durationMs: expect.any(Number) }]);
    }
  });

  it('the config file’s webhook, limited to an app, gets that app’s events signed with its configured secret', async () => {
    const desktop = await signIn(server, 'hooks@example.com', CHROME_MAC, 'desktop');
    await until(() => configured.unique().length >= 1, 10_000, 'a desktop delivery');
    expect(configured.unique().map((r) => [r.type, r.data.sessionId, r.data.app])).toEqual([['session.started', desktop.sessionId, 'desktop']]);
    // A desktop sign-in from the browser that used web is a new app on that device.
    expect(configured.unique()[0]!.data.newDevice).toBe(true);
  });

  it('keeps every event through a receiver outage (500s, then refused connections), retrying with backoff, in order per session', async () => {
    const before = made.unique().length;
    made.answer = () => 500;
    const a = await signIn(server, 'hooks@example.com', FIREFOX_WIN);
    const b = await signIn(server, 'hooks@example.com', FIREFOX_WIN);
    expect((await a.client.post('/v1/logout')).status).toBe(204);
    const listed = async () => (await admin.get(`/v1/admin/webhooks/${webhookId}/deliveries`)).json.deliveries;
    await until(async () => (await listed()).some((x: any) => x.attempts.filter((t: any) => t.statusCode === 500).length >= 3), 10_000, 'three retries against the failing receiver');
    await made.down();
    expect((await b.client.post('/v1/logout')).status).toBe(204);
    // Refused connections for a while: attempts go on failing without a status.
    const pendingWithRefusals = async () => {
      const d = await admin.get(`/v1/admin/webhooks/${webhookId}/deliveries`);
      return d.json.deliveries.some((x: any) => x.attempts.some((t: any) => t.statusCode === null && /could not connect/.test(t.error)));
    };
    await until(pendingWithRefusals, 10_000, 'an attempt against the closed port');
    const mid = (await admin.get(`/v1/admin/webhooks/${webhookId}/deliveries`)).json.deliveries;
    const waiting = mid.filter((x: any) => x.status === 'pending');
    expect(waiting.length).toBe(4);
    for (const x of waiting.filter((w: any) => w.attempts.length > 0)) expect(Date.parse(x.nextAttemptAt)).toBeGreaterThan(Date.parse(x.attempts.at(-1).at));
    // The line of session a: its ended waits for its started, so it has had no attempt while started fails.
    const aEnded = mid.find((x: any) => x.type === 'session.ended' && x.attempts.length === 0);
    expect(aEnded).toBeDefined();

    made.answer = () => 204;
    await made.up();
    await until(() => made.unique().length >= before + 4, 15_000, 'every delivery after the outage');
    inSessionOrder(made.unique(), new Map([
      [a.sessionId, ['session.started', 'session.ended']],
      [b.sessionId, ['session.started', 'session.ended']],
    ]));
    // The receiver has the events; the server records each outcome just after.
    const deliveries = listed;
    await until(async () => (await deliveries()).every((x: any) => x.status === 'delivered'), 5_000, 'every delivery recorded as delivered');
    const retried = (await deliveries()).sort((x: any, y: any) => y.attempts.length - x.attempts.length)[0];
    expect(retried.attempts.length).toBeGreaterThanOrEqual(4);
    expect(retried.attempts.map((t: any) => t.statusCode)).toContain(500);
    expect(retried.attempts.at(-1).statusCode).toBe(204);
    // Exponential backoff: the wait before retry n is at least 50 ms · 2^(n−1) (polling only adds to it).
    const gaps = retried.attempts.slice(1).map((t: any, i: number) => Date.parse(t.at) - Date.parse(retried.attempts[i].at));
    gaps.forEach((gap: number, i: number) => expect(gap, `wait before retry ${i + 1}`).toBeGreaterThanOrEqual(50 * 2 ** i - 5));
  });

  it('deletes an API webhook (no more deliveries) but not one of the config file', async () => {
    const configuredId = (await admin.get('/v1/admin/webhooks')).json.webhooks.find((w: any) => w.source === 'config').id;
    const r = await admin.delete(`/v1/admin/webhooks/${configuredId}`);
    expect(r.status).toBe(403);
    expect((await admin.delete(`/v1/admin/webhooks/${webhookId}`)).status).toBe(204);
    expect((await admin.delete(`/v1/admin/webhooks/${webhookId}`)).status).toBe(404);
    expect((await admin.get(`/v1/admin/webhooks/${webhookId}/deliveries`)).status).toBe(404);
    const seen = made.requests;
    await signIn(server, 'hooks@example.com', CHROME_MAC);
    await new Promise((r) => setTimeout(r, 300));
    expect(made.requests).toBe(seen);
  });

  it('never writes a webhook secret to its output', () => {
    expect(made.secret).toMatch(/^whsec_/);
    expect(server.output()).not.toContain(made.secret);
    expect(server.output()).not.toContain(configured.secret);
    expect(server.output()).not.toContain(configured.secret.slice(6));
  });
});

// These start servers of their own (restart and kill on one SQLite file): once, in the default run.
describe.skipIf(inject('e2eStore') !== undefined)('webhooks across a restart, a kill -9 and a give-up (default run only)', () => {
  it('a stopped server loses nothing queued: after a start on the same file every event arrives, in order per session', async () => {
    const receiver = new WebhookReceiver(newSecret());
    receiver.answer = () => 503;
    await receiver.up();
    const dir = mkdtempSync(join(tmpdir(), 'sessiond-webhooks-restart-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ webhooks: [{ url: receiver.url, events: ['session.started', 'session.ended'], secret: receiver.secret }] }));
    const env = { SESSIOND_ADMIN_TOKEN: ADMIN_TOKEN, SESSIOND_CONFIG: config, SESSIOND_STORE: `sqlite:${join(dir, 'sessiond.db')}`, SESSIOND_DATA_DIR: dir, ...FAST };
    let server = await startServer(env);
    try {
      await adminClient(server.url).post('/v1/admin/users', { email: 'restart@example.com', password: PASSWORD });
      const expected = new Map<string, string[]>();
      for (let i = 0; i < 3; i++) {
        const s = await signIn(server, 'restart@example.com', i % 2 ? CHROME_MAC : FIREFOX_WIN);
        expect((await s.client.post('/v1/logout')).status).toBe(204);
        expected.set(s.sessionId, ['session.started', 'session.ended']);
      }
      await until(() => receiver.requests >= 6, 10_000, 'failing attempts before the stop');
      await server.stop();
      receiver.answer = () => 204;
      server = await startServer(env);
      await until(() => receiver.unique().length >= 6, 15_000, 'every delivery after the restart');
      expect(receiver.rejected).toBe(0);
      inSessionOrder(receiver.unique(), expected);

      // An ending made with the CLI on the same file is queued too, and the running server sends it.
      const s = await signIn(server, 'restart@example.com', CHROME_MAC);
      const revoked = await runCli(['sessions', 'revoke', s.sessionId], env);
      expect(revoked.code, revoked.stderr).toBe(0);
      await until(() => receiver.unique().some((r) => r.type === 'session.ended' && r.data.sessionId === s.sessionId), 10_000, 'the CLI ending');
      expect(receiver.unique().find((r) => r.type === 'session.ended' && r.data.sessionId === s.sessionId)!.data.reason).toBe('revoked_by_admin');
    } finally {
      await server.stop();
      await receiver.down();
    }
  }, PROCESS_STARTS_TIMEOUT_MS);

  it('gives a delivery up after SESSIOND_WEBHOOK_RETRY_FOR, marks it failed, and sends the session’s next event', async () => {
    const receiver = new WebhookReceiver(newSecret());
    // This receiver refuses every session.started and takes every session.ended.
    receiver.answer = (_n, type) => (type === 'session.started' ? 500 : 204);
    await receiver.up();
    const dir = mkdtempSync(join(tmpdir(), 'sessiond-webhooks-giveup-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ webhooks: [{ url: receiver.url, events: ['session.started', 'session.ended'], secret: receiver.secret }] }));
    const server = await startServer({ SESSIOND_ADMIN_TOKEN: ADMIN_TOKEN, SESSIOND_CONFIG: config, SESSIOND_WEBHOOK_RETRY_BASE: '100ms', SESSIOND_WEBHOOK_RETRY_FOR: '1s' });
    try {
      const admin = adminClient(server.url);
      await admin.post('/v1/admin/users', { email: 'giveup@example.com', password: PASSWORD });
      const s = await signIn(server, 'giveup@example.com', CHROME_MAC);
      expect((await s.client.post('/v1/logout')).status).toBe(204);
      await until(() => receiver.unique().length >= 1, 10_000, 'the ended event after the give-up');
      expect(receiver.unique().map((r) => [r.type, r.data.sessionId])).toEqual([['session.ended', s.sessionId]]);
      const id = (await admin.get('/v1/admin/webhooks')).json.webhooks[0].id;
      const deliveries = (await admin.get(`/v1/admin/webhooks/${id}/deliveries`)).json.deliveries;
      const started = deliveries.find((d: any) => d.type === 'session.started');
      expect(started).toMatchObject({ status: 'failed', nextAttemptAt: null });
      expect(started.attempts.length).toBeGreaterThanOrEqual(3);
      expect(started.attempts.every((a: any) => a.statusCode === 500)).toBe(true);
      // The last attempt came at the end of the window: retried for all of it, then no more.
      expect(Date.parse(started.attempts.at(-1).at) - Date.parse(started.createdAt)).toBeGreaterThanOrEqual(1000);
      const ended = deliveries.find((d: any) => d.type === 'session.ended');
      expect(ended.status).toBe('delivered');
      expect(Date.parse(ended.attempts[0].at)).toBeGreaterThanOrEqual(Date.parse(started.attempts.at(-1).at));
    } finally {
      await server.stop();
      await receiver.down();
    }
  });

  it('a server killed mid-delivery leaves the delivery to the next one after its lease', async () => {
    const receiver = new WebhookReceiver(newSecret());
    // The first request is held open: the server is killed while it waits for the answer.
    receiver.answer = (n) => (n === 1 ? 'hang' : 204);
    await receiver.up();
    const dir = mkdtempSync(join(tmpdir(), 'sessiond-webhooks-kill-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ webhooks: [{ url: receiver.url, events: ['session.started', 'session.ended'], secret: receiver.secret }] }));
    // Timeout 1 s: a lease of 3 s, so the next server takes it over within seconds.
    const env = { SESSIOND_ADMIN_TOKEN: ADMIN_TOKEN, SESSIOND_CONFIG: config, SESSIOND_STORE: `sqlite:${join(dir, 'sessiond.db')}`, SESSIOND_DATA_DIR: dir, SESSIOND_WEBHOOK_RETRY_BASE: '50ms', SESSIOND_WEBHOOK_TIMEOUT: '1s' };
    let server = await startServer(env);
    try {
      await adminClient(server.url).post('/v1/admin/users', { email: 'kill@example.com', password: PASSWORD });
      const s = await signIn(server, 'kill@example.com', CHROME_MAC);
      expect((await s.client.post('/v1/logout')).status).toBe(204);
      await until(() => receiver.requests >= 1, 10_000, 'the held request');
      await server.kill();
      server = await startServer(env);
      await until(() => receiver.unique().length >= 2, 15_000, 'both deliveries after the lease');
      inSessionOrder(receiver.unique(), new Map([[s.sessionId, ['session.started', 'session.ended']]]));
    } finally {
      await server.stop();
      await receiver.down();
    }
  }, PROCESS_STARTS_TIMEOUT_MS);
});
