import { describe, expect, it } from 'vitest';
import { ServerClock } from './server-clock.ts';

const MIN = 60_000;

describe('ServerClock', () => {
  it('keeps 0 while the device clock is in step, whatever the whole-second rounding', () => {
    const clock = new ServerClock(() => 0);
    clock.observe(-700, 999, -50, 0); // server said "…:59" 50 ms round trip
    expect(clock.offsetMs).toBe(0);
    expect(clock.toDevice(1_000)).toBe(1_000);
  });

  it('follows a device clock ten minutes ahead or behind, to within a second', () => {
    for (const skew of [10 * MIN, -10 * MIN]) {
      let device = 1_700_000_000_000 + skew;
      const clock = new ServerClock(() => device);
      const server = () => device - skew;
      clock.observe(Math.floor(server() / 1000) * 1000, 999, device - 40, device);
      expect(Math.abs(clock.offsetMs + skew)).toBeLessThanOrEqual(600);
      expect(Math.abs(clock.now() - server())).toBeLessThanOrEqual(1_000);
      device += 10_000;
      expect(Math.abs(clock.toDevice(server() + 5_000) - (device + 5_000))).toBeLessThanOrEqual(1_000);
    }
  });

  it('narrows with each reading, and starts afresh when the device clock is changed', () => {
    let device = 10_000_300;
    const clock = new ServerClock(() => device);
    // Server 5 min behind the device; readings either side of a second boundary pin it down.
    clock.observe(9_700_000, 999, device - 10, device); // server in [9_700_000, 9_700_999]
    device = 10_001_250;
    clock.observe(9_701_000, 999, device - 10, device);
    // Bounds: [9_701_000 − 10_001_250, 9_700_999 − 10_000_290] = [−300_250, −299_291].
    expect(clock.offsetMs).toBe(Math.round((-300_250 + -299_291) / 2));
    // Someone sets the device clock right: the next reading contradicts the old bounds.
    device = 9_702_000;
    clock.observe(9_702_000, 999, device - 10, device);
    expect(clock.offsetMs).toBe(0);
  });

  it('reads the Date header of every answer through wrap()', async () => {
    const device = Date.parse('2026-01-01T12:10:00.000Z');
    const clock = new ServerClock(() => device);
    const fetchFn = clock.wrap(async () => new Response('{}', { headers: { date: 'Thu, 01 Jan 2026 12:00:00 GMT' } }));
    await fetchFn('/v1/session');
    expect(Math.abs(clock.offsetMs + 10 * MIN)).toBeLessThanOrEqual(1_000);
  });
});
