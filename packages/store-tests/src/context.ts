import type { Store } from '@sessiond/core';

/** What each area of the suite sees: the store of the current test and its base time. */
export interface SuiteContext {
  /** A fresh, empty, initialised store, new for every test. */
  readonly store: Store;
  /** Base time of the current test: fixed, or the wall clock for stores that expire by it. */
  readonly t0: number;
  /** The store expires keys by its backend's clock: wait for real, with short TTLs. */
  readonly realTime: boolean;
  /** See ConformanceOptions.breakDeliveryQueue; absent for stores that offer no way to break it. */
  readonly breakDeliveryQueue: ((store: Store, webhookId: string) => Promise<void>) | undefined;
  /** Another store from the same factory, for isolation checks; closed after the test. */
  makeAnother(): Promise<Store>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` passes or `timeoutMs` runs out: remote feeds deliver asynchronously. */
export async function eventually(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check() && Date.now() < until) await sleep(10);
}

/**
 * Orders store-assigned event ids ("42", or Redis stream ids like "1767268800000-3") by their
 * numeric parts: the suite must not assume one store's format, only that ids increase.
 */
export function compareEventIds(a: string, b: string): number {
  const pa = a.split(/\D+/).filter(Boolean).map(BigInt);
  const pb = b.split(/\D+/).filter(Boolean).map(BigInt);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? -1n;
    const y = pb[i] ?? -1n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
