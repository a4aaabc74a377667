import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../packages/store-redis/test/local-redis.ts';
import { Client, readEvents, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const ADMIN = 'push-channel-admin-token-0123456789';

describe('the browser push channel', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  it('tells a session it ended, why, within a second of the ending elsewhere', async () => {
    const tab = new Client(server.url);
    await tab.post('/v1/signup', { email: 'push@example.com', password: PASSWORD });
    await tab.post('/v1/login', { email: 'push@example.com', password: PASSWORD });
    const other = new Client(server.url, { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0' });
    await other.post('/v1/login', { email: 'push@example.com', password: PASSWORD });
    const myId = (await tab.get('/v1/session')).json.session.id;

    const res = await fetch(server.url + '/v1/session/events', { headers: { cookie: [...tab.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reading = readEvents(res, (ev) => ev.some((e) => e.event === 'session.ended'));
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    expect((await other.delete(`/v1/sessions/${myId}`)).status).toBe(204);
    const events = await reading;
    const elapsed = Date.now() - t0;
    const ended = events.find((e) => e.event === 'session.ended')!;
    expect(events[0]!.event).toBe('session.state');
    expect(ended.data.reason).toBe('revoked');
    expect(ended.data.message).toContain('Firefox on Windows');
    expect(elapsed).toBeLessThan(1000);
  });

  it('needs a signed-in session', async () => {
    const r = await new Client(server.url).get('/v1/session/events');
    expect(r.status).toBe(401);
  });
});

/** An open push channel and everything it has sent so far; `ended` settles when the server closes it. */
async function openChannel(base: string, cookie: string) {
  const res = await fetch(base + '/v1/session/events', { headers: { cookie } });
  if (res.status !== 200) return { res, text: () => '', ended: Promise.resolve(), cancel: async () => {} };
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let ended!: () => void;
  const endedP = new Promise<void>((r) => (ended = r));
  let resolveState!: () => void;
  const state = new Promise<void>((r) => (resolveState = r));
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) return ended();
      text += decoder.decode(value, { stream: true });
      if (text.includes('event: session.state')) resolveState();
    }
  })();
  await state;
  return { res, text: () => text, ended: endedP, cancel: () => reader.cancel().catch(() => undefined) };
}

describe('push channels are bounded per session, per user and per node', () => {
  let server: ServerProcess;
  const metric = async (name: string) => {
    const text = await (await fetch(server.url + '/metrics', { headers: { authorization: `Bearer ${ADMIN}` } })).text();
    return Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  };
  const signIn = async (email: string) => {
    const c = new Client(server.url);
    await c.post('/v1/signup', { email, password: PASSWORD });
    expect((await c.post('/v1/login', { email, password: PASSWORD })).status).toBe(200);
    return [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  };
  beforeAll(async () => {
    server = await startServer({ SESSIOND_ADMIN_TOKEN: ADMIN });
  });
  afterAll(() => server.stop());

  it('a session keeps its five newest channels: opening more closes the oldest', async () => {
    const cookie = await signIn('tabs@example.com');
    const opened = [];
    for (let i = 0; i < 8; i++) opened.push(await openChannel(server.url, cookie));
    expect(opened.map((ch) => ch.res.status)).toEqual(Array(8).fill(200));
    await Promise.all(opened.slice(0, 3).map((ch) => ch.ended));
    // The replaced tab is told to wait minutes before it reconnects.
    for (const ch of opened.slice(0, 3)) expect(ch.text()).toContain('retry: 300000');
    for (const ch of opened.slice(3)) expect(ch.text()).not.toContain('retry: 300000');
    expect(await metric('sessiond_push_channels_open')).toBe(5);
    await Promise.all(opened.map((ch) => ch.cancel()));
    await until('every channel released', async () => (await metric('sessiond_push_channels_open')) === 0, 5000);
  });

  it('a user holds twenty channels at most: the next answers 429 rate_limited with Retry-After', async () => {
    const sessions = [];
    for (let i = 0; i < 5; i++) sessions.push(await signIn('many@example.com'));
    const opened = [];
    for (const cookie of sessions.slice(0, 4)) for (let i = 0; i < 5; i++) opened.push(await openChannel(server.url, cookie));
    const refusedBefore = await metric('sessiond_push_channels_refused_total{limit="user"}');
    const refused = await openChannel(server.url, sessions[4]!);
    expect(refused.res.status).toBe(429);
    expect(refused.res.headers.get('retry-after')).toBe('30');
    const body = await refused.res.json();
    expect(body.error).toMatchObject({ code: 'rate_limited', details: { limit: 'user' } });
    expect(typeof body.error.message).toBe('string');
    expect(await metric('sessiond_push_channels_refused_total{limit="user"}')).toBe(refusedBefore + 1);
    // A reload on a session at its own limit replaces its oldest channel, never a 429.
    const reload = await openChannel(server.url, sessions[0]!);
    expect(reload.res.status).toBe(200);
    await opened[0]!.ended;
    expect(await metric('sessiond_push_channels_open')).toBe(20);
    await Promise.all([...opened, reload].map((ch) => ch.cancel()));
  });

  it('a node holds SESSIOND_MAX_PUSH_CHANNELS at most', async () => {
    const small = await startServer({ SESSIOND_MAX_PUSH_CHANNELS: '2' });
    try {
      const cookieOf = async (email: string) => {
        const c = new Client(small.url);
        await c.post('/v1/signup', { email, password: PASSWORD });
        await c.post('/v1/login', { email, password: PASSWORD });
        return [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      };
      const a = await openChannel(small.url, await cookieOf('a@example.com'));
      const b = await openChannel(small.url, await cookieOf('b@example.com'));
      const c = await openChannel(small.url, await cookieOf('c@example.com'));
      expect([a.res.status, b.res.status, c.res.status]).toEqual([200, 200, 429]);
      expect((await c.res.json()).error).toMatchObject({ code: 'rate_limited', details: { limit: 'node' } });
      expect(await (await fetch(small.url + '/metrics')).text()).toMatch(/^sessiond_push_channels_refused_total\{limit="node"\} 1$/m);
      await Promise.all([a.cancel(), b.cancel()]);
    } finally {
      await small.stop();
    }
  });
});
