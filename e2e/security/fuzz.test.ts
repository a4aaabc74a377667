import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const ADMIN = 'fuzz-admin-token-0123456789abcdef';
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5000);

// A small seeded PRNG (mulberry32) so a failure can be replayed with the same seed.
function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELDS = ['email', 'password', 'rememberMe', 'app', 'totp', 'mode', 'refreshToken', 'passive', 'currentPassword', 'newPassword', 'code', 'userId', 'ip', 'userAgent', '__proto__', 'constructor', 'prototype'];
const ROUTES: [string, string][] = [
  ['POST', '/v1/signup'],
  ['POST', '/v1/login'],
  ['GET', '/v1/session'],
  ['POST', '/v1/session/extend'],
  ['POST', '/v1/session/refresh'],
  ['POST', '/v1/session/reauth'],
  ['GET', '/v1/session/events?x=1'],
  ['POST', '/v1/logout'],
  ['GET', '/v1/sessions'],
  ['DELETE', '/v1/sessions/ID'],
  ['POST', '/v1/sessions/revoke-others'],
  ['POST', '/v1/sessions/revoke-all'],
  ['POST', '/v1/password'],
  ['GET', '/v1/devices'],
  ['DELETE', '/v1/devices/ID'],
  ['POST', '/v1/totp/setup'],
  ['POST', '/v1/totp/enable'],
  ['POST', '/v1/totp/disable'],
  ['GET', '/v1/reasons/ID'],
  ['GET', '/.well-known/jwks.json'],
  ['POST', '/v1/admin/users'],
  ['POST', '/v1/admin/sessions'],
  ['GET', '/v1/admin/users/ID/sessions'],
  ['GET', '/v1/admin/audit?limit=ID&userId=ID'],
  ['POST', '/v1/demo/expense-reports'],
  ['GET', '/login'],
  ['PUT', '/v1/session'],
  ['PATCH', '/v1/sessions'],
  ['OPTIONS', '/v1/login'],
];

describe('fuzzing every route', () => {
  let server: ServerProcess;
  let control: Client;
  let fuzzCookie = '';
  let fuzzToken = '';
  beforeAll(async () => {
    server = await startServer({ SESSIOND_ADMIN_TOKEN: ADMIN });
    control = new Client(server.url);
    await control.post('/v1/signup', { email: 'control@example.com', password: PASSWORD });
    await control.post('/v1/login', { email: 'control@example.com', password: PASSWORD });
    await new Client(server.url).post('/v1/login', { email: 'control@example.com', password: PASSWORD, app: 'desktop' });
    const fuzzer = new Client(server.url);
    await fuzzer.post('/v1/signup', { email: 'fuzzer@example.com', password: PASSWORD });
    fuzzToken = (await fuzzer.post('/v1/login', { email: 'fuzzer@example.com', password: PASSWORD })).json.token;
    fuzzCookie = `sessiond=${fuzzToken}`;
  });
  afterAll(() => server.stop());

  it(`${REQUESTS} hostile requests: no 5xx, every error in the SPEC shape, nothing corrupted`, async () => {
    const before = (await control.get('/v1/sessions')).json.sessions.map((s: { id: string }) => s.id).sort();
    expect(before).toHaveLength(2);
    const seed = Number(process.env.FUZZ_SEED ?? 20261122);
    const rnd = prng(seed);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const str = (): string =>
      pick([
        '',
        'a',
        'x'.repeat(Math.floor(rnd() * 300)),
        '\u0000\u0001\u001f',
        '💥'.repeat(Math.floor(rnd() * 50)),
        '../../etc/passwd',
        '<script>alert(1)</script>',
        "' OR 1=1 --",
        '%00%2e%2e%2f',
        'ada@example.com',
        PASSWORD,
        fuzzToken,
        'eyJhbGciOiJub25lIn0.eyJzaWQiOiJ4In0.',
        '\ud800',
        String(rnd()),
      ]);
    const value = (depth = 0): unknown => {
      const r = rnd();
      if (r < 0.3) return str();
      if (r < 0.4) return Math.floor(rnd() * 2 ** 53) * (rnd() < 0.5 ? -1 : 1);
      if (r < 0.5) return rnd() < 0.5;
      if (r < 0.55) return null;
      if (r < 0.6) return 1e308 * 10;
      if (depth < 3 && r < 0.8) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
      if (depth < 3) return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, () => [pick(FIELDS), value(depth + 1)]));
      return str();
    };
    const body = (): string | undefined => {
      const r = rnd();
      if (r < 0.1) return undefined;
      if (r < 0.2) return '{"email":';
      if (r < 0.25) return 'x'.repeat(17 * 1024);
      if (r < 0.3) return '[]';
      if (r < 0.35) return '{"__proto__":{"admin":true},"constructor":{"prototype":{"polluted":1}}}';
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(rnd() * 6); i++) o[pick(FIELDS)] = value();
      return JSON.stringify(o);
    };
    const failures: string[] = [];
    const one = async () => {
      const [method, template] = pick(ROUTES);
      const enc = (v: string) => {
        try {
          return encodeURIComponent(v);
        } catch {
          return '%ED%A0%80'; // a lone surrogate, as raw bytes
        }
      };
      const path = template.replace(/ID/g, () => enc(str()).slice(0, 300) || 'x');
      const headers: Record<string, string> = {};
      const ct = pick(['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/json; charset=latin1']);
      if (ct) headers['content-type'] = ct;
      const auth = rnd();
      if (auth < 0.25) headers.cookie = fuzzCookie;
      else if (auth < 0.35) headers.cookie = `sessiond=${str().replace(/[;\s\u0000-\u001f\u007f-\uffff]/g, '')}; other=1`;
      else if (auth < 0.5) headers.authorization = `Bearer ${fuzzToken}`;
      else if (auth < 0.6 && !/revoke|admin\/sessions$/.test(path)) headers.authorization = `Bearer ${ADMIN}`;
      else if (auth < 0.7) headers.authorization = pick(['Bearer', 'Basic Zm9vOmJhcg==', `Bearer ${'A'.repeat(5000)}`, 'Bearer a.b.c']);
      if (rnd() < 0.5) headers.origin = pick([server.url, 'https://evil.example', 'null', '']);
      if (rnd() < 0.1) headers['x-sessiond-passive'] = pick(['1', '0', 'yes']);
      if (rnd() < 0.1) headers['last-event-id'] = str().replace(/[\u0000-\u001f\u007f-\uffff]/g, '');
      if (rnd() < 0.1) headers['x-forwarded-for'] = pick(['1.2.3.4', 'not-an-ip', '::1, 10.0.0.1']);
      const b = method === 'GET' || method === 'OPTIONS' ? undefined : body();
      const controller = new AbortController();
      // The push channels answer with a stream; a short look is enough.
      const timer = setTimeout(() => controller.abort(), 1500);
      try {
        const res = await fetch(server.url + path, { method, headers, body: b, signal: controller.signal });
        const text = res.headers.get('content-type')?.includes('event-stream') ? '' : await res.text();
        if (res.status >= 500) failures.push(`${res.status} ${method} ${path} ${b?.slice(0, 80)} → ${text.slice(0, 200)}`);
        if (res.status >= 400 && !path.startsWith('/login')) {
          const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
          if (typeof parsed.error?.code !== 'string' || typeof parsed.error.message !== 'string') failures.push(`bad error shape ${res.status} ${method} ${path}: ${text.slice(0, 200)}`);
        }
      } catch (e) {
        if ((e as Error).name !== 'AbortError') failures.push(`${method} ${path}: ${(e as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    };
    let done = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (done < REQUESTS) {
          done++;
          await one();
        }
      }),
    );
    expect(failures, `seed ${seed}`).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const after = (await control.get('/v1/sessions')).json.sessions.map((s: { id: string }) => s.id).sort();
    expect(after).toEqual(before);
    expect((await control.get('/v1/session')).status).toBe(200);
    expect((await new Client(server.url).get('/healthz')).status).toBe(200);
  }, 120_000);
});
