import type { Store } from '@sessiond/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SuiteContext } from './context.ts';
import { HOUR, T0, makeEnding, makeEvent, makeSession, setBaseTime } from './fixtures.ts';
import { describeAppKeys } from './spec/app-keys.ts';
import { describeCounters } from './spec/counters.ts';
import { describeEndings } from './spec/endings.ts';
import { describeEvents } from './spec/events.ts';
import { describeEventFanOut } from './spec/event-fan-out.ts';
import { describeIdentities } from './spec/identities.ts';
import { describeCoreRules } from './spec/rules.ts';
import { describeSessionLimit } from './spec/limit.ts';
import { describeSessionData } from './spec/session-data.ts';
import { describeSessions } from './spec/sessions.ts';
import { describeSigningKeys } from './spec/signing-keys.ts';
import { describeSettings } from './spec/settings.ts';
import { describeSweep } from './spec/sweep.ts';
import { describeTrustedDevices } from './spec/trusted-devices.ts';
import { describeUsers } from './spec/users.ts';
import { describeWebhooks } from './spec/webhooks.ts';

export interface ConformanceOptions {
  /**
   * The store expires keys by its backend's own clock (Redis TTLs): times then start at the wall
   * clock, and tests of TTL-based behaviour use short TTLs and short real waits.
   */
  realTime?: boolean;
  /**
   * Makes every later attempt of `store` to queue a delivery for `webhookId` fail, the way a
   * broken constraint or a wrong-typed key would (a trigger, a key of another type), so the suite
   * can check that an event is never recorded without its deliveries. Left out where nothing can
   * fail between the two (memory).
   */
  breakDeliveryQueue?: (store: Store, webhookId: string) => Promise<void>;
}

/**
 * The Store specification, as one suite every store runs. `makeStore` must return a fresh,
 * isolated, empty and initialised store on every call; the suite closes it after each test.
 * Times are explicit `now` values everywhere, so no test depends on when it runs.
 */
export function runStoreConformance(name: string, makeStore: () => Promise<Store>, opts: ConformanceOptions = {}): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store | undefined;
    let extra: Store[] = [];
    let t0 = T0;
    const ctx: SuiteContext = {
      realTime: opts.realTime ?? false,
      breakDeliveryQueue: opts.breakDeliveryQueue,
      get store() {
        if (!store) throw new Error('no store: makeStore failed');
        return store;
      },
      get t0() {
        return t0;
      },
      async makeAnother() {
        const another = await makeStore();
        extra.push(another);
        return another;
      },
    };

    beforeEach(async () => {
      // A whole second keeps failure output readable while staying near the backend's clock.
      t0 = opts.realTime ? Math.floor(Date.now() / 1000) * 1000 : T0;
      setBaseTime(t0);
      store = await makeStore();
    });
    afterEach(async () => {
      await Promise.all([store?.close(), ...extra.map((s) => s.close())]);
      store = undefined;
      extra = [];
    });

    it('answers ping', async () => {
      await expect(ctx.store.ping()).resolves.toBeUndefined();
    });

    it('starts empty', async () => {
      expect(await ctx.store.listEvents({ limit: 10 })).toEqual([]);
      expect(await ctx.store.listSigningKeys()).toEqual([]);
      expect(await ctx.store.endAllSessions(makeEnding('global_logout'))).toBe(0);
      expect(await ctx.store.sweep(t0 + 400 * 24 * HOUR, { limit: 100, tombstoneTtlMs: HOUR })).toEqual({ timedOut: [], purged: 0 });
    });

    it('shares nothing with another store from the same factory', async () => {
      const other = await ctx.makeAnother();
      const s = makeSession();
      await ctx.store.createSession(s);
      await ctx.store.recordEvent(makeEvent());
      expect(await other.findSession(s.id)).toBeNull();
      expect(await other.listEvents({ limit: 10 })).toEqual([]);
      expect(await other.endAllSessions(makeEnding('global_logout'))).toBe(0);
      expect(await ctx.store.findSession(s.id)).toEqual(s);
    });

    describeUsers(ctx);
    describeSessions(ctx);
    describeEndings(ctx);
    describeSessionLimit(ctx);
    describeSweep(ctx);
    describeCoreRules(ctx);
    describeTrustedDevices(ctx);
    describeEvents(ctx);
    describeCounters(ctx);
    describeSigningKeys(ctx);
    describeSettings(ctx);
    describeIdentities(ctx);
    describeAppKeys(ctx);
    describeWebhooks(ctx);
    describeEventFanOut(ctx);
    describeSessionData(ctx);
  });
}
