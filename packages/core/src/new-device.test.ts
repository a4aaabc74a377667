import { createMemoryStore } from '@sessiond/store-memory';
import { beforeEach, describe, expect, it } from 'vitest';
import { BROWSER_MEMORY_MS, NEW_DEVICE_MEMORY_MS, newDeviceSignIn } from './new-device.ts';
import type { Counters } from './ports/counters.ts';
import { parseDevice } from './user-agent.ts';

const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';

describe('newDeviceSignIn', () => {
  let counters: Counters;
  let now: number;
  beforeEach(async () => {
    const store = createMemoryStore();
    await store.init();
    counters = store;
    now = 1_700_000_000_000;
  });
  const signIn = (s: { userId?: string; app?: string; userAgent?: string; browserId?: string | null; trustedDeviceId?: string | null } = {}) =>
    newDeviceSignIn(counters, { userId: s.userId ?? 'ada', app: s.app ?? 'web', device: parseDevice(s.userAgent ?? CHROME), browserId: s.browserId ?? null, trustedDeviceId: s.trustedDeviceId ?? null, createdAt: now });

  describe('with a browser id', () => {
    it('is new the first time the account signs in from that browser, and not again, whatever the app or device label', async () => {
      expect(await signIn({ browserId: 'b1' })).toBe(true);
      expect(await signIn({ browserId: 'b1' })).toBe(false);
      expect(await signIn({ browserId: 'b1', app: 'desktop', userAgent: FIREFOX })).toBe(false);
      expect(await signIn({ browserId: 'b2' })).toBe(true);
      // Another account's first sign-in from a browser is new to that account.
      expect(await signIn({ browserId: 'b1', userId: 'bob' })).toBe(true);
    });

    it('is new even with a trusted-device cookie, and again after BROWSER_MEMORY_MS', async () => {
      expect(await signIn({ browserId: 'b1', trustedDeviceId: 'd1' })).toBe(true);
      now += BROWSER_MEMORY_MS - 1;
      expect(await signIn({ browserId: 'b1' })).toBe(false);
      now += 1;
      expect(await signIn({ browserId: 'b1' })).toBe(true);
    });

    it('leaves the device-label count alone: a later sign-in without a browser id is still new', async () => {
      expect(await signIn({ browserId: 'b1' })).toBe(true);
      expect(await signIn()).toBe(true);
    });
  });

  describe('without a browser id (token mode, the admin API)', () => {
    it('is new for each (account, app, device label) not seen within NEW_DEVICE_MEMORY_MS', async () => {
      expect(await signIn()).toBe(true);
      expect(await signIn()).toBe(false);
      expect(await signIn({ userAgent: FIREFOX })).toBe(true);
      expect(await signIn({ app: 'desktop' })).toBe(true);
      now += NEW_DEVICE_MEMORY_MS;
      expect(await signIn()).toBe(true);
    });

    it('is never new while the sign-in holds a trusted-device cookie, yet that sign-in is counted', async () => {
      expect(await signIn({ trustedDeviceId: 'd1' })).toBe(false);
      expect(await signIn()).toBe(false);
    });
  });
});
