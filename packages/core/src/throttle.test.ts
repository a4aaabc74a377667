import { createMemoryStore } from '@sessiond/store-memory';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { SessiondError } from './errors.ts';
import { keyedFingerprint } from './fingerprint.ts';
import { DEFAULT_THROTTLE, SignInThrottle } from './throttle.ts';

describe('SignInThrottle', () => {
  let clock: ManualClock;
  let t: SignInThrottle;
  beforeEach(async () => {
    clock = new ManualClock();
    const store = createMemoryStore();
    await store.init();
    t = new SignInThrottle(store, clock);
  });
  const fail = async (email: string, ip: string, n: number) => {
    for (let i = 0; i < n; i++) await (await t.reserve(email, ip)).failed();
  };
  /** Would an attempt go through now? Asked without leaving a count behind. */
  const probe = async (email: string, ip: string) => (await t.reserve(email, ip)).release();
  const refused = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: SessiondError) => e,
    );

  it('stops a guesser after 5 failures a minute, then 10 per 15 minutes, with Retry-After', async () => {
    await fail('ada@example.com', '198.51.100.1', 5);
    const e = await refused(probe('ada@example.com', '198.51.100.1'));
    expect(e).toMatchObject({ code: 'rate_limited', retryAfter: 60 });
    clock.advance('61s');
    await fail('ada@example.com', '198.51.100.1', 5);
    clock.advance('61s');
    expect(await refused(probe('ada@example.com', '198.51.100.1'))).toMatchObject({ code: 'rate_limited', retryAfter: 900 });
    clock.advance('15m');
    await expect(probe('ada@example.com', '198.51.100.1')).resolves.toBeUndefined();
  });

  it('says how long to wait in words that agree with the number ("1 second", "1 minute")', async () => {
    const oneSecond = new SignInThrottle(createMemoryStore(), clock, { ...DEFAULT_THROTTLE, pair: [{ windowMs: 1000, max: 1 }] });
    await (await oneSecond.reserve('ada@example.com', '198.51.100.1')).failed();
    expect((await refused(oneSecond.reserve('ada@example.com', '198.51.100.1')))?.message).toContain('Please wait 1 second and try again');
    await fail('ada@example.com', '198.51.100.1', 5);
    expect((await refused(probe('ada@example.com', '198.51.100.1')))?.message).toContain('Please wait 1 minute and try again');
  });

  it('counts attempts in flight: of 40 sent at once only 5 are checked, and the refused leave no count', async () => {
    const attempts = await Promise.allSettled(Array.from({ length: 40 }, () => t.reserve('ada@example.com', '198.51.100.1')));
    const admitted = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    expect(admitted).toHaveLength(5);
    for (const a of attempts) if (a.status === 'rejected') expect(a.reason).toMatchObject({ code: 'rate_limited', retryAfter: 60 });
    await Promise.all(admitted.map((a) => a.failed()));
    expect(await refused(probe('ada@example.com', '198.51.100.1'))).toMatchObject({ code: 'rate_limited' });
    // The address has 5 failures against its 20 a minute across accounts: the 35 refused were given back.
    for (let i = 0; i < 15; i++) await fail(`user${i}@example.com`, '198.51.100.1', 1);
    expect(await refused(probe('bob@example.com', '198.51.100.1'))).toMatchObject({ code: 'rate_limited' });
  });

  it('a success gives back its address counts and an attempt without a verdict leaves none', async () => {
    for (let i = 0; i < 30; i++) await (await t.reserve(`user${i}@example.com`, '198.51.100.1')).succeeded();
    for (let i = 0; i < 30; i++) await probe('ada@example.com', '198.51.100.1');
    // Settled once: the release every caller makes in `finally` does not give a failure back.
    const r = await t.reserve('ada@example.com', '198.51.100.1');
    await r.failed();
    await r.release();
    await fail('ada@example.com', '198.51.100.1', 4);
    expect(await refused(probe('ada@example.com', '198.51.100.1'))).toMatchObject({ code: 'rate_limited' });
  });

  it('does not lock the owner out: another address still signs in', async () => {
    await fail('ada@example.com', '198.51.100.1', 5);
    await expect(probe('ada@example.com', '203.0.113.9')).resolves.toBeUndefined();
  });

  it('under a distributed attack, slows each failing address exponentially, never locking the owner out', async () => {
    for (let i = 0; i < 100; i++) await fail('ada@example.com', `198.51.${Math.floor(i / 250)}.${i % 250}`, 1);
    // Past the 100-failure ceiling, a second failure from one address earns it 60 s, a third 120 s.
    await fail('ada@example.com', '198.51.0.7', 1);
    expect(await refused(probe('ada@example.com', '198.51.0.7'))).toMatchObject({ code: 'rate_limited', retryAfter: 60 });
    clock.advance('61s');
    await fail('ada@example.com', '198.51.0.7', 1);
    expect(await refused(probe('ada@example.com', '198.51.0.7'))).toMatchObject({ code: 'rate_limited', retryAfter: 120 });
    // A wait holds for tries sent at once, too: none of them gets through.
    const burst = await Promise.allSettled(Array.from({ length: 5 }, () => t.reserve('ada@example.com', '198.51.0.7')));
    expect(burst.map((b) => b.status)).toEqual(Array(5).fill('rejected'));
    // A fresh address is not touched; the owner who mistypes once waits 30 s, not an hour.
    await expect(probe('ada@example.com', '203.0.113.9')).resolves.toBeUndefined();
    await fail('ada@example.com', '203.0.113.9', 1);
    expect(await refused(probe('ada@example.com', '203.0.113.9'))).toMatchObject({ code: 'rate_limited', retryAfter: 30 });
    clock.advance('31s');
    await expect(probe('ada@example.com', '203.0.113.9')).resolves.toBeUndefined();
  });

  it('treats an IPv6 /64 and alternate spellings as one client', async () => {
    for (let i = 0; i < 20; i++) await fail(`user${i}@example.com`, `2001:db8:1:2::${(i + 1).toString(16)}`, 1);
    expect(await refused(probe('other@example.com', '2001:DB8:1:2:ffff::1'))).toMatchObject({ code: 'rate_limited' });
    await expect(probe('other@example.com', '2001:db8:1:3::1')).resolves.toBeUndefined();
  });

  it('a success clears only its own record', async () => {
    await fail('ada@example.com', '198.51.100.1', 4);
    await (await t.reserve('ada@example.com', '198.51.100.1')).succeeded();
    await fail('ada@example.com', '198.51.100.1', 4);
    await expect(probe('ada@example.com', '198.51.100.1')).resolves.toBeUndefined();
  });

  it('allows 10 sign-ups a minute and 50 an hour per address, counting the ones sent at once', async () => {
    const signUp = async (ip: string) => (await t.reserveSignUp(ip)).succeeded();
    // Given back (bad input): not counted.
    for (let i = 0; i < 5; i++) await (await t.reserveSignUp('198.51.100.1')).release();
    const burst = await Promise.allSettled(Array.from({ length: 30 }, () => signUp('198.51.100.1')));
    expect(burst.filter((b) => b.status === 'fulfilled')).toHaveLength(10);
    expect(await refused(signUp('198.51.100.1'))).toMatchObject({ code: 'rate_limited', retryAfter: 60 });
    await expect(signUp('203.0.113.9')).resolves.toBeUndefined();
    for (let minute = 0; minute < 4; minute++) {
      clock.advance('61s');
      for (let i = 0; i < 10; i++) await signUp('198.51.100.1');
    }
    clock.advance('61s');
    expect(await refused(signUp('198.51.100.1'))).toMatchObject({ code: 'rate_limited', retryAfter: 3600 });
  });

  it('keys its counters by a keyed fingerprint: no typed text in them; nodes with one key count together', async () => {
    const store = createMemoryStore();
    await store.init();
    const keys: string[] = [];
    const seen = new Proxy(store, {
      get: (s, name) => (name === 'incrementCounter' ? (key: string, ...rest: [number, number]) => (keys.push(key), s.incrementCounter(key, ...rest)) : Reflect.get(s, name)),
    });
    const key = new Uint8Array(32).fill(7);
    const nodes = [new SignInThrottle(seen, clock, DEFAULT_THROTTLE, keyedFingerprint(key)), new SignInThrottle(seen, clock, DEFAULT_THROTTLE, keyedFingerprint(key))];
    // A password typed into the email field, five times over two nodes.
    for (let i = 0; i < 5; i++) await (await nodes[i % 2]!.reserve('Hunter2-Secret ', '198.51.100.7')).failed();
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k.toLowerCase()).not.toContain('hunter2');
    expect(await refused(nodes[0]!.reserve('hunter2-secret', '198.51.100.7'))).toMatchObject({ code: 'rate_limited' });
  });
});
