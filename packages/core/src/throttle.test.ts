import { createMemoryStore } from '@sessiond/store-memory';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { SessiondError } from './errors.ts';
import { SignInThrottle } from './throttle.ts';

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
    for (let i = 0; i < n; i++) {
      await t.before(email, ip);
      await t.failed(email, ip);
    }
  };
  const refused = (p: Promise<void>) =>
    p.then(
      () => null,
      (e: SessiondError) => e,
    );

  it('stops a guesser after 5 failures a minute, then 10 per 15 minutes, with Retry-After', async () => {
    await fail('ada@example.com', '198.51.100.1', 5);
    const e = await refused(t.before('ada@example.com', '198.51.100.1'));
    expect(e).toMatchObject({ code: 'rate_limited', retryAfter: 60 });
    clock.advance('61s');
    await fail('ada@example.com', '198.51.100.1', 5);
    clock.advance('61s');
    expect(await refused(t.before('ada@example.com', '198.51.100.1'))).toMatchObject({ code: 'rate_limited', retryAfter: 900 });
    clock.advance('15m');
    await expect(t.before('ada@example.com', '198.51.100.1')).resolves.toBeUndefined();
  });

  it('does not lock the owner out: another address still signs in', async () => {
    await fail('ada@example.com', '198.51.100.1', 5);
    await expect(t.before('ada@example.com', '203.0.113.9')).resolves.toBeUndefined();
  });

  it('under a distributed attack, slows each failing address exponentially, never locking the owner out', async () => {
    for (let i = 0; i < 100; i++) await fail('ada@example.com', `198.51.${Math.floor(i / 250)}.${i % 250}`, 1);
    // Past the 100-failure ceiling, a second failure from one address earns it 60 s, a third 120 s.
    await fail('ada@example.com', '198.51.0.7', 1);
    expect(await refused(t.before('ada@example.com', '198.51.0.7'))).toMatchObject({ code: 'rate_limited', retryAfter: 60 });
    clock.advance('61s');
    await fail('ada@example.com', '198.51.0.7', 1);
    expect(await refused(t.before('ada@example.com', '198.51.0.7'))).toMatchObject({ code: 'rate_limited', retryAfter: 120 });
    // A fresh address is not touched; the owner who mistypes once waits 30 s, not an hour.
    await expect(t.before('ada@example.com', '203.0.113.9')).resolves.toBeUndefined();
    await t.failed('ada@example.com', '203.0.113.9');
    expect(await refused(t.before('ada@example.com', '203.0.113.9'))).toMatchObject({ code: 'rate_limited', retryAfter: 30 });
    clock.advance('31s');
    await expect(t.before('ada@example.com', '203.0.113.9')).resolves.toBeUndefined();
  });

  it('treats an IPv6 /64 and alternate spellings as one client', async () => {
    for (let i = 0; i < 20; i++) await fail(`user${i}@example.com`, `2001:db8:1:2::${(i + 1).toString(16)}`, 1);
    expect(await refused(t.before('other@example.com', '2001:DB8:1:2:ffff::1'))).toMatchObject({ code: 'rate_limited' });
    await expect(t.before('other@example.com', '2001:db8:1:3::1')).resolves.toBeUndefined();
  });

  it('a success clears only its own record', async () => {
    await fail('ada@example.com', '198.51.100.1', 4);
    await t.succeeded('ada@example.com', '198.51.100.1');
    await fail('ada@example.com', '198.51.100.1', 4);
    await expect(t.before('ada@example.com', '198.51.100.1')).resolves.toBeUndefined();
  });
});
