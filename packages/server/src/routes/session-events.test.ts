import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { startServer, type RunningServer } from '../server.ts';

// In-process so the store can be made slow; the server listens on a real socket all the same.
let server: RunningServer;
beforeAll(async () => {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', SESSIOND_STORE: 'memory:', SESSIOND_DATA_DIR: mkdtempSync(join(tmpdir(), 'sessiond-events-')), SESSIOND_LOG_LEVEL: 'silent' });
  server = await startServer(config, { passwords: { hash: async (p) => `h:${p}`, verify: async (h, p) => h === `h:${p}` } });
});
afterAll(() => server.close());

const post = (path: string, body: unknown) =>
  fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify(body) });
const signIn = async () => (await post('/v1/login', { email: 'abort@example.com', password: 'correct horse battery' })).headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
const openChannels = async () => Number(/^sessiond_push_channels_open (\S+)$/m.exec(await server.app.metrics.registry.metrics())?.[1]);

it('a client that goes away while its push channel is being authenticated holds no channel', async () => {
  await post('/v1/signup', { email: 'abort@example.com', password: 'correct horse battery' });
  const cookies = [await signIn(), await signIn(), await signIn(), await signIn()];
  // A store that takes 100 ms to answer, as a loaded Redis or PostgreSQL may.
  const sessions = server.app.sessiond.sessions;
  const validate = sessions.validateToken.bind(sessions);
  sessions.validateToken = async (...a) => (await new Promise((r) => setTimeout(r, 100)), validate(...a));
  const { port } = new URL(server.url);
  // 20 requests, the user's whole allowance, each abandoned during authentication.
  for (const cookie of cookies) {
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((done) => {
        const sock = connect(Number(port), '127.0.0.1', () => {
          sock.write(`GET /v1/session/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\n\r\n`);
          setTimeout(() => (sock.destroy(), done()), 20);
        });
      });
    }
  }
  await new Promise((r) => setTimeout(r, 300));
  sessions.validateToken = validate;
  expect(await openChannels()).toBe(0);
  const channel = await fetch(server.url + '/v1/session/events', { headers: { cookie: await signIn() } });
  expect(channel.status).toBe(200);
  expect(await openChannels()).toBe(1);
  await channel.body!.cancel();
});
