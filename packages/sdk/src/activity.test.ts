import { describe, expect, it } from 'vitest';
import { extendDelay, extendIntervalMs, watchActivity } from './activity.ts';

describe('extendDelay', () => {
  it('sends at once when the interval has passed or the warning shows', () => {
    expect(extendDelay({ now: 40_000, lastSentAt: 0, intervalMs: 30_000, warning: false })).toBe(0);
    expect(extendDelay({ now: 1_000, lastSentAt: 0, intervalMs: 30_000, warning: true })).toBe(0);
  });
  it('otherwise waits for the end of the interval', () => {
    expect(extendDelay({ now: 10_000, lastSentAt: 0, intervalMs: 30_000, warning: false })).toBe(20_000);
  });
  it('sends at once when the device clock was set back past the last send', () => {
    expect(extendDelay({ now: 10_000, lastSentAt: 10_000 + 10 * 60_000, intervalMs: 30_000, warning: false })).toBe(0);
  });
});

describe('extendIntervalMs', () => {
  it('is the preferred interval for long timeouts', () => {
    expect(extendIntervalMs(30 * 60_000, 2 * 60_000, 30_000)).toBe(30_000);
  });
  it('shrinks so activity lands before a short warning would show', () => {
    expect(extendIntervalMs(20_000, 15_000, 30_000)).toBe(2_500);
  });
  it('never goes below a second', () => {
    expect(extendIntervalMs(10_000, 10_000, 30_000)).toBe(1_000);
  });
});

describe('watchActivity', () => {
  it('ignores events that scripts dispatch', () => {
    const target = new EventTarget();
    const seen: number[] = [];
    const stop = watchActivity(target, (at) => seen.push(at));
    target.dispatchEvent(new Event('keydown'));
    stop();
    expect(seen).toEqual([]);
  });
});
