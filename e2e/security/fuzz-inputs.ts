/** Seeded generators of hostile input for the fuzz test: a failure replays with the same seed. */

/** mulberry32: small, fast, and good enough to pick test inputs. */
export function prng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every route the server has; ID is replaced by hostile text, real ids, or path tricks. */
export const ROUTES: [string, string][] = [
  ['POST', '/v1/signup'],
  ['POST', '/v1/login'],
  ['GET', '/v1/session'],
  ['POST', '/v1/session/extend'],
  ['POST', '/v1/session/refresh'],
  ['POST', '/v1/session/reauth'],
  ['GET', '/v1/session/events'],
  ['POST', '/v1/logout'],
  ['GET', '/v1/sessions'],
  ['DELETE', '/v1/sessions/ID'],
  ['DELETE', '/v1/sessions/ID?forgetDevice=ID'],
  ['POST', '/v1/sessions/revoke-others'],
  ['POST', '/v1/sessions/revoke-all'],
  ['POST', '/v1/password'],
  ['GET', '/v1/devices'],
  ['DELETE', '/v1/devices/ID'],
  ['POST', '/v1/totp/setup'],
  ['POST', '/v1/totp/enable'],
  ['POST', '/v1/totp/disable'],
  ['GET', '/v1/reasons/ID'],
  ['GET', '/v1/reasons/idle_timeout?app=ID'],
  ['GET', '/.well-known/jwks.json'],
  ['POST', '/v1/admin/users'],
  ['POST', '/v1/admin/sessions'],
  ['GET', '/v1/admin/users/ID/sessions'],
  ['POST', '/v1/admin/users/ID/revoke-sessions'],
  ['POST', '/v1/admin/users/ID/disable'],
  ['POST', '/v1/admin/users/ID/enable'],
  ['POST', '/v1/admin/revoke-all'],
  ['POST', '/v1/admin/keys/rotate'],
  ['GET', '/v1/admin/audit?limit=ID&userId=ID&sessionId=ID'],
  ['GET', '/v1/admin/events'],
  ['POST', '/v1/demo/expense-reports'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
  ['GET', '/metrics'],
  ['GET', '/login?reason=ID'],
  ['GET', '/settings/security/sessions'],
  ['GET', '/ID'],
];

/** Paths that normalise, or nearly normalise, to real routes. */
export const PATH_TRICKS = [
  '//v1/session',
  '/v1/session/',
  '/v1/./session',
  '/v1/x/../session',
  '/v1/%2e%2e/v1/admin/audit',
  '/v1/sessions/..%2f..%2fadmin%2faudit',
  '/V1/SESSION',
  '/v1/session;jsessionid=abc',
  '/v1/session%00',
  '/v1/session%20',
  '/v1/sessions/%ff%fe',
  '/v1/sessions/%',
  '/v1/s\u00e9ssion',
  '/v1/\uff53ession',
  '/v1/admin/audit?limit=1e9',
  '/v1/admin/audit?limit=-1&limit=2',
  '/v1/session?token=x&sid=y&sessionId=z',
  '/v1/session?__proto__[admin]=1&constructor[prototype][admin]=1',
  `/v1/sessions/${'a'.repeat(300)}`,
  `/v1/session?${'a=1&'.repeat(2000)}`,
  `/${'x/'.repeat(1500)}`,
];

export const FIELDS = [
  'email', 'password', 'rememberMe', 'app', 'totp', 'mode', 'refreshToken', 'passive', 'currentPassword', 'newPassword',
  'code', 'userId', 'ip', 'userAgent', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
];

/** The fields each route reads and their types: bodies that pass validation reach the handler. */
const SHAPES: [RegExp, Record<string, 'string' | 'boolean' | 'mode'>][] = [
  [/^\/v1\/(signup|admin\/users)$/, { email: 'string', password: 'string' }],
  [/^\/v1\/login$/, { email: 'string', password: 'string', rememberMe: 'boolean', app: 'string', totp: 'string', mode: 'mode' }],
  [/^\/v1\/session\/refresh$/, { refreshToken: 'string', passive: 'boolean' }],
  [/^\/v1\/session\/reauth$/, { password: 'string', totp: 'string' }],
  [/^\/v1\/password$/, { currentPassword: 'string', newPassword: 'string' }],
  [/^\/v1\/totp\/(enable|disable)$/, { code: 'string' }],
  [/^\/v1\/admin\/sessions$/, { userId: 'string', app: 'string', rememberMe: 'boolean', ip: 'string', userAgent: 'string', mode: 'mode' }],
];

export interface Inputs {
  rnd: () => number;
  pick<T>(xs: readonly T[]): T;
  /** Hostile or plausible text; `known` adds real values (a real token, the password). */
  str(): string;
  value(depth?: number): unknown;
  /** Random JSON, broken JSON, or (for routes with a body schema) the right fields with hostile values. */
  body(path: string): string | undefined;
}

/**
 * `known`: real values to mix into hostile text (a live token, the password). `plausible`: the
 * right value for a field by name (the fuzzer's own email and password, a live refresh token), so
 * some requests get all the way through and the handlers behind validation are fuzzed too.
 */
export function inputs(seed: number, known: () => string[], plausible: () => Record<string, string>): Inputs {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
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
      'ADA@EXAMPLE.COM ',
      '\u202eevil',
      'e\u0301',
      '\ud800',
      '__proto__',
      'NaN',
      '-1',
      '1e309',
      '0x10',
      '::ffff:127.0.0.1',
      '2001:db8::1%eth0',
      'idle_timeout',
      'eyJhbGciOiJub25lIn0.eyJzaWQiOiJ4In0.',
      String(rnd()),
      ...known(),
    ]);
  const value = (depth = 0): unknown => {
    const r = rnd();
    if (r < 0.3) return str();
    if (r < 0.4) return Math.floor(rnd() * 2 ** 53) * (rnd() < 0.5 ? -1 : 1);
    if (r < 0.5) return rnd() < 0.5;
    if (r < 0.55) return null;
    if (r < 0.6) return pick([0.5, -0, 1e308, Number.MAX_SAFE_INTEGER + 2]);
    if (depth < 3 && r < 0.8) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
    if (depth < 3) return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, () => [pick(FIELDS), value(depth + 1)]));
    return str();
  };
  const shaped = (path: string): string | undefined => {
    const shape = SHAPES.find(([re]) => re.test(path))?.[1];
    if (!shape) return undefined;
    const o: Record<string, unknown> = {};
    for (const [k, type] of Object.entries(shape)) {
      if (rnd() < 0.3 && k !== 'email' && k !== 'password') continue;
      const real = plausible()[k];
      o[k] = type === 'boolean' ? rnd() < 0.5 : type === 'mode' ? pick(['cookie', 'token', str()]) : real !== undefined && rnd() < 0.6 ? real : str();
    }
    return JSON.stringify(o);
  };
  const body = (path: string): string | undefined => {
    if (rnd() < 0.35) {
      const b = shaped(path);
      if (b !== undefined) return b;
    }
    const r = rnd();
    if (r < 0.08) return undefined;
    if (r < 0.14) return pick(['{"email":', '{', '}', 'null', '"text"', 'true', '1e999', '\ufeff{}', '{"a":1,"a":{}}', '{"email":"\\ud800"}', "{'email':'x'}"]);
    if (r < 0.18) return 'x'.repeat(17 * 1024);
    if (r < 0.21) return '['.repeat(8000) + ']'.repeat(8000);
    if (r < 0.24) return '[]';
    if (r < 0.3) return pick(['{"__proto__":{"admin":true,"totpEnabled":false}}', '{"constructor":{"prototype":{"polluted":1}}}', '{"email":"a@example.com","password":"x","__proto__":{"app":"x"}}']);
    const o: Record<string, unknown> = {};
    for (let i = 0; i < Math.floor(rnd() * 6); i++) o[pick(FIELDS)] = value();
    return JSON.stringify(o);
  };
  return { rnd, pick, str, value, body };
}

/** Raw requests that a well-behaved client library would never send: the HTTP parser's turn. */
export const RAW_REQUESTS = [
  'GARBAGE\r\n\r\n',
  'GET /v1/session HTTP/1.1\r\nHost: x\r\nCookie: ' + 'a'.repeat(20_000) + '\r\n\r\n',
  'GET /v1/session HTTP/1.1\r\nHost: x\r\n' + Array.from({ length: 3000 }, (_, i) => `X-H${i}: 1`).join('\r\n') + '\r\n\r\n',
  'POST /v1/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n0\r\n\r\n',
  'POST /v1/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\nContent-Type: application/json\r\n\r\n1\r\n{\r\n0\r\n\r\nGET /v1/admin/audit HTTP/1.1\r\nHost: x\r\n\r\n',
  'POST /v1/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\nContent-Type: application/json\r\n\r\n{}',
  'POST /v1/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  'POST /v1/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\nContent-Type: application/json\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
  'POST /v1/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Type: application/json\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
  'GET /v1/session HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n',
  'GET /v1/session HTTP/1.1\nHost: x\n\n',
  'GET /v1/session HTTP/1.1\r\nHost: x\r\nX-Nul: a\u0000b\r\n\r\n',
  'GET /v1/sess\u0000ion HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET http://evil.example/v1/session HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /v1/session HTTP/9.9\r\nHost: x\r\n\r\n',
  'GET /v1/session\r\n\r\n',
  'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
  'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n',
  'TRACE /v1/session HTTP/1.1\r\nHost: x\r\n\r\n',
  'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n',
  'PROPFIND /v1/session HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /' + 'a'.repeat(70_000) + ' HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /v1/session HTTP/1.1\r\nHost: x\r\nCookie: sessiond=a; sessiond=b; sessiond=\r\n\r\n',
  'GET /v1/session HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\n\r\n',
  'GET /v1/session HTTP/1.1\r\nHost: x\r\nX-Middleware-Subrequest: middleware\r\nX-Forwarded-For: 127.0.0.1\r\nX-Http-Method-Override: DELETE\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/session HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n',
  'POST /v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n{}',
  'POST /v1/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}',
];
