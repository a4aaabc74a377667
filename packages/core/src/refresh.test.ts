import { createMemoryStore } from '@sessiond/store-memory';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { DEFAULT_CORE_CONFIG, DEFAULT_POLICY } from './policy.ts';
import { RefreshTokens } from './refresh.ts';
import { Sessiond } from './sessiond.ts';
import type { Store } from './store.ts';
import { hashSecret } from './tokens.ts';

const passwords = { hash: async (p: string) => `plain:${p}`, verify: async (h: string, p: string) => h === `plain:${p}` };
const GRACE = 1_000;

describe('RefreshTokens', () => {
  let clock: ManualClock;
  let store: Store;
  let sd: Sessiond;
  let tokens: RefreshTokens;
  const opts = { passive: false, ip: null };

  const start = async () => {
    const { session } = await sd.signIn({ email: 'ada@example.com', password: 'correct horse battery', rememberMe: false, app: 'api', mode: 'token', ip: null, userAgent: null });
    return tokens.issue(session);
  };
  const reasonOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code: string; reason?: string }) => e.reason ?? e.code);

  beforeEach(async () => {
    clock = new ManualClock();
    store = createMemoryStore();
    await store.init();
    sd = new Sessiond({ store, clock, passwords, config: { ...DEFAULT_CORE_CONFIG, policy: { ...DEFAULT_POLICY } } });
    await sd.users.create('ada@example.com', 'correct horse battery');
    tokens = new RefreshTokens(sd.sessions, clock, Buffer.alloc(32, 7), GRACE);
  });

  it('stores only the hash, and rotates on every use', async () => {
    const first = await start();
    const secret = first.refreshToken.split('.')[1]!;
    const stored = JSON.stringify(await store.findSession(first.session.id));
    expect(stored).not.toContain(secret);
    expect(stored).toContain(hashSecret(secret));
    const second = await tokens.refresh(first.refreshToken, opts);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.session.refresh?.generation).toBe(1);
    expect((await tokens.refresh(second.refreshToken, opts)).session.refresh?.generation).toBe(2);
  });

  it('a parallel burst with one token writes one rotation and answers one successor', async () => {
    const first = await start();
    const results = await Promise.all(Array.from({ length: 20 }, () => tokens.refresh(first.refreshToken, opts)));
    expect(new Set(results.map((r) => r.refreshToken)).size).toBe(1);
    expect((await store.findSession(first.session.id))?.refresh?.generation).toBe(1);
    const refreshed = await store.listEvents({ sessionId: first.session.id, limit: 100 });
    expect(refreshed.filter((e) => e.type === 'session.refreshed')).toHaveLength(1);
  });

  it('the previous token answers the same successor within the grace and ends the session after it', async () => {
    const first = await start();
    const second = await tokens.refresh(first.refreshToken, opts);
    clock.advance(GRACE);
    expect((await tokens.refresh(first.refreshToken, opts)).refreshToken).toBe(second.refreshToken);
    clock.advance(1);
    expect(await reasonOf(tokens.refresh(first.refreshToken, opts))).toBe('refresh_token_reused');
    expect(await reasonOf(tokens.refresh(second.refreshToken, opts))).toBe('refresh_token_reused');
  });

  it('an older ancestor ends the session at once, even within the grace (the thief rotated twice)', async () => {
    const first = await start();
    const second = await tokens.refresh(first.refreshToken, opts);
    const third = await tokens.refresh(second.refreshToken, opts);
    expect(await reasonOf(tokens.refresh(first.refreshToken, opts))).toBe('refresh_token_reused');
    expect(await reasonOf(tokens.refresh(third.refreshToken, opts))).toBe('refresh_token_reused');
  });

  it('an unknown secret for a real session id ends nothing', async () => {
    const first = await start();
    await tokens.refresh(first.refreshToken, opts);
    const forged = `${first.session.id}.${'A'.repeat(43)}`;
    expect(await reasonOf(tokens.refresh(forged, opts))).toBe('invalid_token');
    expect(await reasonOf(tokens.refresh('not-a-token', opts))).toBe('invalid_token');
    expect((await store.findSession(first.session.id))?.endedAt).toBeNull();
  });

  it('slides idle unless passive, never moves the absolute deadline, and fails past either deadline', async () => {
    const first = await start();
    clock.advance('10m');
    const active = await tokens.refresh(first.refreshToken, opts);
    expect(active.session.idleExpiresAt).toBe(clock.now() + 30 * 60_000);
    expect(active.session.absoluteExpiresAt).toBe(first.session.absoluteExpiresAt);
    clock.advance('10m');
    const passive = await tokens.refresh(active.refreshToken, { passive: true, ip: null });
    expect(passive.session.idleExpiresAt).toBe(active.session.idleExpiresAt);
    clock.advance('21m');
    expect(await reasonOf(tokens.refresh(passive.refreshToken, opts))).toBe('idle_timeout');

    const other = await start();
    let current = other.refreshToken;
    for (let i = 0; i < 12 * 4; i++) {
      clock.advance('15m');
      const r = await reasonOf(tokens.refresh(current, opts).then((x) => (current = x.refreshToken)));
      if (r !== 'ok') {
        expect(r).toBe('absolute_timeout');
        expect(clock.now()).toBeGreaterThanOrEqual(other.session.absoluteExpiresAt);
        return;
      }
    }
    throw new Error('refresh outlived the absolute deadline');
  });
});
