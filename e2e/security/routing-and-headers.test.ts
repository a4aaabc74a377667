import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, Client, startAdminServer, type ServerProcess } from '../harness.ts';
import { parseResponses, sendRaw } from './raw-http.ts';

const PASSWORD = 'correct horse battery';
const EVIL = 'https://evil.example';

describe('routing and headers on every answer', () => {
  let server: ServerProcess;
  let host: string;
  beforeAll(async () => {
    ({ server } = await startAdminServer());
    host = new URL(server.url).host;
    await new Client(server.url).post('/v1/signup', { email: 'routed@example.com', password: PASSWORD });
  });
  afterAll(() => server.stop());

  const rawPost = async (path: string, body: unknown, origin: string) => {
    const json = JSON.stringify(body);
    const payload = `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${origin}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`;
    const [r] = parseResponses(await sendRaw(server.url, payload));
    return { status: r!.status, headers: r!.headers, json: JSON.parse(r!.body) };
  };

  it('the sign-in Origin check decides on the routed path, not the raw URL', async () => {
    for (const path of ['/v1/%6Cogin', '/v1/log%69n', '/v1/login?x=1']) {
      const r = await rawPost(path, { email: 'routed@example.com', password: PASSWORD }, EVIL);
      expect({ path, status: r.status, code: r.json.error?.code }).toEqual({ path, status: 403, code: 'csrf_failed' });
    }
    const signup = await rawPost('/v1/%73ignup', { email: 'routed2@example.com', password: PASSWORD }, EVIL);
    expect(signup.status).toBe(403);
    expect(signup.json.error.code).toBe('csrf_failed');
    // Our own origin still signs in through the same escaped path.
    expect((await rawPost('/v1/%6Cogin', { email: 'routed@example.com', password: PASSWORD }, new URL(server.url).origin)).status).toBe(200);
  });

  it('every kind of answer carries X-Content-Type-Options: nosniff', async () => {
    const c = new Client(server.url);
    await c.post('/v1/login', { email: 'routed@example.com', password: PASSWORD });
    const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const events = await fetch(server.url + '/v1/session/events', { headers: { cookie } });
    await events.body!.cancel();
    // The other answer that writes its own head: the admin events feed for resource servers.
    const feed = await fetch(server.url + '/v1/admin/events', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    await feed.body!.cancel();
    const answers: [string, { status: number; headers: Headers }][] = [
      ['JSON', await c.get('/v1/session')],
      ['health', await c.get('/healthz')],
      ['metrics', await c.get('/metrics')],
      ['401', await new Client(server.url).get('/v1/session')],
      ['404', await c.get('/v1/nope')],
      ['400 bad JSON', await c.req('POST', '/v1/login', '{"email":')],
      ['413', await c.post('/v1/signup', { email: 'a@example.com', password: 'x'.repeat(17 * 1024) })],
      ['403 csrf', await c.post('/v1/logout', undefined, { origin: EVIL })],
      ['a malformed %-escape', await c.get('/v1/sessions/%E0%A4%A')],
      ['page', await c.get('/login')],
      ['event stream', events],
      ['admin events feed', feed],
    ];
    for (const [what, r] of answers) expect({ what, status: r.status, nosniff: r.headers.get('x-content-type-options') }).toEqual({ what, status: r.status, nosniff: 'nosniff' });
    for (const stream of [events, feed]) expect(stream.headers.get('content-type')).toContain('text/event-stream');
    // A request the HTTP parser refuses gets its answer before Fastify sees it.
    const [refused] = parseResponses(await sendRaw(server.url, `GET / HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(refused!.status).toBe(431);
    expect(refused!.headers['x-content-type-options']).toBe('nosniff');
  });
});
