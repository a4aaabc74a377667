import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, startServer } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const haveRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!haveRedis) console.warn('outage: redis-server is not installed; the outage test is SKIPPED');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A Redis of this test's own, with AOF so that what was written before the outage survives. */
async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().includes('PONG')) return child;
  }
  throw new Error('redis did not start');
}

describe.skipIf(!haveRedis)('a store outage', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

  it('answers 503 store_unavailable (never session_ended), and recovers by itself', async () => {
    const port = await freePort();
    const { mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/sessiond-outage-');
    let redis = await startRedis(port, dir);
    children.push(redis);
    const server = await startServer({ SESSIOND_STORE: `redis://127.0.0.1:${port}` });
    try {
      const c = new Client(server.url);
      await c.post('/v1/signup', { email: 'outage@example.com', password: PASSWORD });
      const { json } = await c.post('/v1/login', { email: 'outage@example.com', password: PASSWORD });
      const bearer = { authorization: `Bearer ${json.token}` };
      expect((await c.get('/v1/session', bearer)).status).toBe(200);

      redis.kill('SIGKILL');
      await new Promise((r) => redis.once('exit', r));
      await new Promise((r) => setTimeout(r, 1100)); // past the validation cache's TTL
      const t0 = Date.now();
      const down = await c.get('/v1/session', bearer);
      expect(Date.now() - t0).toBeLessThan(3000); // fails fast, does not hang
      expect(down.status).toBe(503);
      expect(down.json.error.code).toBe('store_unavailable');
      expect(down.headers.get('retry-after')).toBeTruthy();
      expect((await c.get('/readyz')).status).toBe(503);
      expect((await c.post('/v1/login', { email: 'outage@example.com', password: PASSWORD })).status).toBe(503);

      redis = await startRedis(port, dir);
      children.push(redis);
      let back = await c.get('/v1/session', bearer);
      for (let i = 0; i < 50 && back.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 200));
        back = await c.get('/v1/session', bearer);
      }
      expect(back.status).toBe(200); // the session written before the outage survived
      expect((await c.get('/readyz')).status).toBe(200);
      // Writes work again, and the ending explains itself.
      expect((await c.post('/v1/logout', {}, bearer)).status).toBe(204);
      expect((await c.get('/v1/session', bearer)).json.error.reason).toBe('logged_out');
    } finally {
      await server.stop();
    }
  });
});
