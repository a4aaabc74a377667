import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, Client, startAdminServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const TOKEN_SHAPE = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/**
 * Black-box statistics over credentials a running server issued (ASVS 5.0 7.2.3, 11.5.1;
 * checklist: "collect 10k tokens"). They cannot prove randomness; they catch the failures that
 * matter: repeats, short or structured secrets, stuck bits, counters. That the bits come from
 * the CSPRNG is confirmed by review: `randomBytes` in packages/core/src/tokens.ts.
 */
function checkRandom(secrets: Buffer[]) {
  const n = secrets.length;
  const bits = secrets[0]!.length * 8;
  expect(new Set(secrets.map((s) => s.toString('hex'))).size).toBe(n);
  expect(bits).toBeGreaterThanOrEqual(128);
  // Monobit over everything, and per bit position (a stuck bit shows here): within 6 sigma.
  const ones = new Array<number>(bits).fill(0);
  const byteCounts = new Array<number>(256).fill(0);
  for (const s of secrets) {
    for (let i = 0; i < s.length; i++) {
      byteCounts[s[i]!]!++;
      for (let b = 0; b < 8; b++) ones[i * 8 + b]! += (s[i]! >> b) & 1;
    }
  }
  const total = ones.reduce((a, b) => a + b, 0) / (n * bits);
  expect(Math.abs(total - 0.5)).toBeLessThan(0.01);
  const sigma = 0.5 / Math.sqrt(n);
  for (const o of ones) expect(Math.abs(o / n - 0.5)).toBeLessThan(6 * sigma);
  // Chi-squared of byte values, 255 degrees of freedom: mean 255, sd ~22.6.
  const expected = (n * secrets[0]!.length) / 256;
  const chi2 = byteCounts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
  expect(chi2).toBeGreaterThan(120);
  expect(chi2).toBeLessThan(400);
  // Consecutive credentials are unrelated: about half their bits differ (a counter would not).
  // The bound is over 6.7 sigma for 128 bits, so a false alarm is ~1e-7 per run of 10,000.
  for (let i = 1; i < n; i++) {
    let diff = 0;
    for (let j = 0; j < secrets[i]!.length; j++) {
      let x = secrets[i]![j]! ^ secrets[i - 1]![j]!;
      for (; x; x &= x - 1) diff++;
    }
    expect(Math.abs(diff - bits / 2)).toBeLessThan(bits * 0.3);
  }
  // No shared structure: sorted neighbours share only a chance-sized prefix (< 6 bytes).
  const sorted = secrets.map((s) => s.toString('hex')).sort();
  for (let i = 1; i < n; i++) {
    let k = 0;
    while (sorted[i]![k] === sorted[i - 1]![k]) k++;
    expect(k).toBeLessThan(12);
  }
}

describe('credentials issued by a running server', () => {
  let server: ServerProcess;
  let admin: Client;
  let users = 0;
  beforeAll(async () => ({ server, admin } = await startAdminServer()));
  afterAll(() => server.stop());

  /**
   * Starts `count` sessions through the admin API (no password hashing: fast), 16 at a time, 96 per
   * user: an account keeps at most 100 active sessions, and the refresh test needs them all alive.
   */
  const issue = async (count: number, mode: 'cookie' | 'token') => {
    const out: { token?: string; refreshToken?: string; session: { id: string } }[] = [];
    let userId = '';
    for (let i = 0; i < count; i += 16) {
      if (i % 96 === 0) userId = (await admin.post('/v1/admin/users', { email: `entropy-${users++}@example.com`, password: PASSWORD })).json.user.id;
      const batch = Array.from({ length: Math.min(16, count - i) }, () => admin.post('/v1/admin/sessions', { userId, mode }));
      for (const r of await Promise.all(batch)) {
        expect(r.status).toBe(200);
        out.push(r.json);
      }
    }
    return out;
  };
  const secretOf = (token: string) => Buffer.from(TOKEN_SHAPE.exec(token)![2]!, 'base64url');

  it('10,000 session tokens: unique, 256-bit secrets, 128-bit ids, no bias, no structure (ASVS 7.2.3)', async () => {
    const issued = await issue(10_000, 'cookie');
    for (const s of issued) expect(s.token).toMatch(TOKEN_SHAPE);
    checkRandom(issued.map((s) => secretOf(s.token!)));
    checkRandom(issued.map((s) => Buffer.from(s.session.id, 'base64url')));
    // Every token carries its own session's id, and no two sessions share one.
    for (const s of issued) expect(s.token!.startsWith(`${s.session.id}.`)).toBe(true);
  }, 120_000);

  it('refresh tokens, first and rotated, pass the same statistics (ASVS 11.5.1)', async () => {
    const issued = await issue(1500, 'token');
    const rotated: string[] = [];
    for (let i = 0; i < 1500; i += 16) {
      const batch = issued.slice(i, i + 16).map((s) => new Client(server.url).post('/v1/session/refresh', { refreshToken: s.refreshToken }));
      for (const r of await Promise.all(batch)) rotated.push(r.json.refreshToken);
    }
    for (const t of [...issued.map((s) => s.refreshToken!), ...rotated]) expect(t).toMatch(TOKEN_SHAPE);
    checkRandom(issued.map((s) => secretOf(s.refreshToken!)));
    checkRandom(rotated.map(secretOf));
  }, 120_000);

  it('no static key stands in for a session (ASVS 7.2.2): the admin token is not a session credential', async () => {
    const r = await new Client(server.url).get('/v1/session', { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('invalid_token');
  });
});
