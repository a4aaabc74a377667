import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { startServer, type RunningServer } from '../server.ts';

let server: RunningServer;
beforeAll(async () => {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', SESSIOND_STORE: 'memory:', SESSIOND_DATA_DIR: mkdtempSync(join(tmpdir(), 'sessiond-timing-')), SESSIOND_LOG_LEVEL: 'silent' });
  server = await startServer(config, { passwords: { hash: async (p) => `h:${p}`, verify: async (h, p) => h === `h:${p}` } });
});
afterAll(() => server.close());

/** Observations so far of one route and status, read from the exported histogram. */
async function count(route: string, status: number): Promise<number> {
  const text = await server.app.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`sessiond_http_request_duration_seconds_count{route="${route}",status="${status}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

it('observes each answer once under its route and status, errors and unrouted answers included', async () => {
  const before = { ok: await count('/healthz', 200), refused: await count('/v1/session', 401), unknown: await count('unknown', 404), login: await count('/v1/login', 403) };
  await fetch(server.url + '/healthz');
  await fetch(server.url + '/v1/session');
  await fetch(server.url + '/v1/session');
  await fetch(server.url + '/v1/no-such-route', { headers: { accept: 'application/json' } });
  // Refused by an onRequest hook (the CSRF check), before any handler ran.
  await fetch(server.url + '/v1/login', { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: '{}' });
  // Answers are observed as they are handed to Node; the last one may still be on its way here.
  await expect.poll(() => count('/v1/login', 403)).toBe(before.login + 1);
  expect(await count('/healthz', 200)).toBe(before.ok + 1);
  expect(await count('/v1/session', 401)).toBe(before.refused + 2);
  expect(await count('unknown', 404)).toBe(before.unknown + 1);
  const text = await server.app.metrics.registry.metrics();
  const sum = Number(/^sessiond_http_request_duration_seconds_sum\{route="\/healthz",status="200"\} (\S+)$/m.exec(text)?.[1]);
  // A real duration: more than nothing, less than the test took.
  expect(sum).toBeGreaterThan(0);
  expect(sum).toBeLessThan(5);
});
