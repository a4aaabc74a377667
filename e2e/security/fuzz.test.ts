import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type ServerProcess } from '../harness.ts';
import { inputs, PATH_TRICKS, prng, RAW_REQUESTS, ROUTES } from './fuzz-inputs.ts';
import { parseResponses, sendRaw } from './raw-http.ts';

const PASSWORD = 'correct horse battery';
const ADMIN = 'fuzz-admin-token-0123456789abcdef';
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5000);
const MUTATIONS = Number(process.env.FUZZ_MUTATIONS ?? 400);
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
// Admin calls that end sessions wholesale would end the control user's too: never with the real token.
const DESTRUCTIVE_ADMIN = /revoke|disable/;

/** An error answer in the SPEC's shape, or a description of what is wrong with it. */
function specShapeProblem(status: number, contentType: string | null, text: string): string | null {
  if (!contentType?.includes('application/json')) return `content-type ${contentType}`;
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    if (typeof e?.code !== 'string' || typeof e.message !== 'string' || e.message === '') return 'no error.code / error.message';
  } catch {
    return 'not JSON';
  }
  return status >= 400 ? null : 'not an error status';
}

describe('fuzzing every route with hostile input', () => {
  let server: ServerProcess;
  let control: { web: Client; desktopToken: string; user: unknown; sessionIds: string[] };
  let fuzzer = { email: '', token: '', userId: '', sessionId: '', refreshToken: '' };
  let fuzzers = 0;
  let checks = 0;

  /** A fresh account for the fuzzer, from an address of its own so the throttle never refuses it. */
  const newFuzzer = async () => {
    const n = ++fuzzers;
    const c = new Client(server.url, { 'x-forwarded-for': `10.99.${n >> 8}.${n & 255}` });
    const email = `fuzzer${n}@example.com`;
    await c.post('/v1/signup', { email, password: PASSWORD });
    const r = await c.post('/v1/login', { email, password: PASSWORD, rememberMe: n % 2 === 0 });
    expect(r.status).toBe(200);
    const t = await c.post('/v1/login', { email, password: PASSWORD, mode: 'token' });
    fuzzer = { email, token: r.json.token, userId: r.json.user.id, sessionId: r.json.session.id, refreshToken: t.json.refreshToken };
  };

  const snapshot = async () => {
    const me = await control.web.get('/v1/session');
    const list = await control.web.get('/v1/sessions');
    const desktop = await new Client(server.url).get('/v1/session', { authorization: `Bearer ${control.desktopToken}`, 'x-sessiond-passive': '1' });
    return { me: me.status, user: me.json.user, desktop: desktop.status, ids: list.json.sessions.map((s: { id: string }) => s.id).sort() };
  };

  /** The control user saw none of it: same sessions, both still valid, nothing added to its user. */
  const expectNothingCorrupted = async () => {
    expect(await snapshot()).toEqual({ me: 200, user: control.user, desktop: 200, ids: control.sessionIds });
    const me = await control.web.get('/v1/session');
    expect(me.text).not.toMatch(/polluted|"admin"/);
    expect((await new Client(server.url).get('/readyz')).status).toBe(200);
    expect((await new Client(server.url).get('/v1/admin/audit')).status).toBe(401);
    // A newcomer can still sign up and in: no shared state was poisoned.
    const fresh = new Client(server.url, { 'x-forwarded-for': '203.0.113.250' });
    const email = `after${++checks}@example.com`;
    expect((await fresh.post('/v1/signup', { email, password: PASSWORD })).status).toBe(201);
    const login = await fresh.post('/v1/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect(Object.keys(login.json.user).sort()).toEqual(['createdAt', 'email', 'id', 'totpEnabled']);
  };

  beforeAll(async () => {
    server = await startServer({ SESSIOND_ADMIN_TOKEN: ADMIN, SESSIOND_TRUST_PROXY: '1' });
    const web = new Client(server.url, { 'x-forwarded-for': '192.0.2.10' });
    await web.post('/v1/signup', { email: 'control@example.com', password: PASSWORD });
    await web.post('/v1/login', { email: 'control@example.com', password: PASSWORD });
    const desktop = await new Client(server.url, { 'x-forwarded-for': '192.0.2.11' }).post('/v1/login', { email: 'control@example.com', password: PASSWORD, app: 'desktop' });
    control = { web, desktopToken: desktop.json.token, user: null, sessionIds: [] };
    const s = await snapshot();
    expect(s.ids).toHaveLength(2);
    control.user = s.user;
    control.sessionIds = s.ids;
    await newFuzzer();
  });
  afterAll(() => server.stop());

  it(`${REQUESTS} hostile requests: no 5xx, every error in the SPEC shape, nothing corrupted`, async () => {
    const known = () => [fuzzer.token, PASSWORD, fuzzer.sessionId, fuzzer.userId, control.sessionIds[0]!, fuzzer.email];
    const plausible = () => ({ email: fuzzer.email, password: PASSWORD, currentPassword: PASSWORD, newPassword: 'a new fuzzed passphrase', refreshToken: fuzzer.refreshToken, userId: fuzzer.userId, ip: '2001:db8::7', app: 'desktop' });
    const { rnd, pick, str, body } = inputs(SEED, known, plausible);
    const enc = (v: string) => {
      try {
        return encodeURIComponent(v);
      } catch {
        return '%ED%A0%80'; // a lone surrogate, as raw bytes
      }
    };
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const reached = new Set<string>();
    const one = async () => {
      const route = pick(ROUTES);
      let template: string | null = route.join(' ');
      let [method, path] = route;
      path = path.replace(/ID/g, () => (rnd() < 0.2 ? pick(known()) : enc(str()).slice(0, 300)) || 'x');
      if (rnd() < 0.12) [path, template] = [pick(PATH_TRICKS), null];
      if (rnd() < 0.1) [method, template] = [pick(METHODS), null];
      const headers: Record<string, string> = {};
      const ct = pick(['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/json; charset=latin1', 'application/json, text/plain']);
      if (ct) headers['content-type'] = ct;
      const auth = rnd();
      if (auth < 0.25) headers.cookie = `sessiond=${fuzzer.token}`;
      else if (auth < 0.32) headers.cookie = `sessiond=${str().replace(/[;\s\u0000-\u001f\u007f-\uffff]/g, '')}; other=1`;
      else if (auth < 0.35) headers.cookie = `sessiond=${fuzzer.token}; sessiond=${control.sessionIds[0]}.${'A'.repeat(43)}`;
      else if (auth < 0.5) headers.authorization = `Bearer ${fuzzer.token}`;
      else if (auth < 0.6 && !DESTRUCTIVE_ADMIN.test(path)) headers.authorization = `Bearer ${ADMIN}`;
      else if (auth < 0.7) headers.authorization = pick(['Bearer', 'Basic Zm9vOmJhcg==', `Bearer ${'A'.repeat(5000)}`, 'Bearer a.b.c', 'bearer  x ', `Bearer ${fuzzer.token} extra`]);
      if (rnd() < 0.5) headers.origin = pick([server.url, 'https://evil.example', 'null', '', server.url + '.evil.example']);
      if (rnd() < 0.1) headers['x-sessiond-passive'] = pick(['1', '0', 'yes']);
      if (rnd() < 0.1) headers['last-event-id'] = str().replace(/[\u0000-\u001f\u007f-\uffff]/g, '');
      if (rnd() < 0.15) headers['x-forwarded-for'] = pick(['1.2.3.4', 'not-an-ip', '::1, 10.0.0.1', '2001:db8::1%eth0', '::ffff:198.51.100.1', ', ,', '300.1.1.1']);
      // Spread over many addresses, so the throttle answers some sign-ins and lets others reach the handler.
      else if (rnd() < 0.4) headers['x-forwarded-for'] = `${(rnd() * 223) | 0}.${(rnd() * 256) | 0}.${(rnd() * 256) | 0}.${(rnd() * 256) | 0}`;
      if (rnd() < 0.05) headers['user-agent'] = pick(['', 'x'.repeat(8000), '\u00ff\u00fe(KHTML)', 'Mozilla/5.0 (Windows NT 10.0) Chrome/999.0 Safari']);
      if (rnd() < 0.05) headers['idempotency-key'] = str().replace(/[\u0000-\u001f\u007f-\uffff]/g, '');
      if (rnd() < 0.03) headers['x-filler'] = 'f'.repeat(rnd() < 0.5 ? 12_000 : 20_000); // near and over the header limit
      if (rnd() < 0.03) Object.assign(headers, { 'x-http-method-override': 'DELETE', 'x-middleware-subrequest': 'middleware', forwarded: 'for=1.2.3.4;host=evil' });
      const b = method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? undefined : body(path);
      const controller = new AbortController();
      // The push channels answer with a stream; a short look is enough.
      const timer = setTimeout(() => controller.abort(), 1500);
      try {
        const res = await fetch(server.url + path, { method, headers, body: b, signal: controller.signal });
        const type = res.headers.get('content-type');
        const text = type?.includes('event-stream') ? '' : await res.text();
        const what = `${res.status} ${method} ${path.slice(0, 120)} ${b?.slice(0, 80)} → ${text.slice(0, 200)}`;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (template && (res.status < 300 || res.status === 409)) reached.add(template);
        if (res.status >= 500) failures.push(what);
        else if (res.status >= 400 && method !== 'HEAD') {
          const problem = specShapeProblem(res.status, type, text);
          if (problem) failures.push(`not in the SPEC shape (${problem}): ${what}`);
        }
        if (res.ok && method === 'DELETE' && path.includes(control.sessionIds[0]!)) failures.push(`ended another user's session: ${what}`);
      } catch (e) {
        if ((e as Error).name !== 'AbortError') failures.push(`${method} ${path.slice(0, 120)}: ${(e as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    };
    let done = 0;
    let renewing: Promise<void> | null = null;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (done < REQUESTS) {
          done++;
          // The fuzzer logs itself out, revokes itself, changes its password: keep a live one.
          if (done % 200 === 0 && !renewing) renewing = newFuzzer().finally(() => (renewing = null));
          if (renewing) await renewing;
          await one();
        }
      }),
    );
    expect(failures, `seed ${SEED}`).toEqual([]);
    if (process.env.FUZZ_STATS) console.log([...statuses].sort(), [...reached].sort());
    // The fuzzer got past authentication and validation often enough to reach the handlers.
    expect(reached.size).toBeGreaterThanOrEqual(20);
    await expectNothingCorrupted();
  }, 120_000);

  it(`malformed HTTP and ${MUTATIONS} seeded byte mutations: never a 5xx, errors in the SPEC shape`, async () => {
    const rnd = prng(SEED + 1);
    const templates = [
      `POST /v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 62\r\nConnection: close\r\n\r\n{"email":"control@example.com","password":"not the password!"}`,
      `GET /v1/session HTTP/1.1\r\nHost: x\r\nCookie: sessiond=${fuzzer.token}\r\nConnection: close\r\n\r\n`,
      `DELETE /v1/sessions/${control.sessionIds[0]} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${fuzzer.token}\r\nConnection: close\r\n\r\n`,
      `POST /v1/session/refresh HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 21\r\nConnection: close\r\n\r\n{"refreshToken":"a.b"}`,
    ];
    const mutate = (s: string): string => {
      const chars = [...s];
      for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
        const i = Math.floor(rnd() * chars.length);
        const r = rnd();
        if (r < 0.4) chars[i] = String.fromCharCode(Math.floor(rnd() * 256));
        else if (r < 0.6) chars.splice(i, 0, ['\r\n', '\n', ':', ' ', '\u0000', '\r\n\r\n', '%', '"'][Math.floor(rnd() * 8)]!);
        else if (r < 0.8) chars.splice(i, 1 + Math.floor(rnd() * 8));
        else chars.length = i;
      }
      return chars.join('');
    };
    const payloads = [...RAW_REQUESTS, ...Array.from({ length: MUTATIONS }, () => mutate(templates[Math.floor(rnd() * templates.length)]!))];
    const failures: string[] = [];
    for (let i = 0; i < payloads.length; i += 40) {
      await Promise.all(
        payloads.slice(i, i + 40).map(async (payload) => {
          for (const r of parseResponses(await sendRaw(server.url, payload, 1000))) {
            const what = `${r.status} for ${JSON.stringify(payload.slice(0, 100))} → ${r.body.slice(0, 160)}`;
            if (r.status >= 500 || r.status === 0) failures.push(what);
            // RFC 9112 §3.2: an HTTP/1.1 request without Host gets Node's own bare 400, before any route.
            else if (r.status === 400 && r.body === '' && !/\r?\nhost:/i.test(payload)) continue;
            else if (r.status >= 400 && !payload.startsWith('HEAD')) {
              const problem = specShapeProblem(r.status, r.headers['content-type'] ?? null, r.body);
              if (problem) failures.push(`not in the SPEC shape (${problem}): ${what}`);
            }
          }
        }),
      );
    }
    expect(failures, `seed ${SEED + 1}`).toEqual([]);
    await expectNothingCorrupted();
  }, 120_000);
});
