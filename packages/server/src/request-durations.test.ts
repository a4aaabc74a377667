import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestDurations } from './request-durations.ts';

const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const name = 'sessiond_http_request_duration_seconds';

/** The same observations through prom-client's Histogram and through ours. */
function both(observations: [string, number, number][]) {
  const theirs = new Registry();
  const ours = new Registry();
  const h = new Histogram({ name, help: 'HTTP request duration', labelNames: ['route', 'status'] as const, buckets, registers: [theirs] });
  const d = new RequestDurations({ name, help: 'HTTP request duration', buckets, registers: [ours] });
  for (const [route, status, s] of observations) {
    h.labels(route, String(status)).observe(s);
    d.observe(route, status, s);
  }
  return { theirs, ours, h, d };
}

describe('RequestDurations', () => {
  // On the bounds, between them, above the last, many of one series, several series interleaved.
  const observations: [string, number, number][] = [
    ['/v1/session', 200, 0.0003],
    ['/v1/session', 200, 0.0005],
    ['unknown', 404, 0.0021],
    ['/v1/session', 401, 0.7],
    ['/v1/session', 200, 3.5],
    ['/v1/login', 200, 0.25],
    ['unknown', 404, 0.1 + 0.2],
    ...Array.from({ length: 50 }, (_, i): [string, number, number] => ['/v1/session', 200, i / 997]),
  ];

  it('exports exactly what prom-client’s Histogram exports for the same observations', async () => {
    const { theirs, ours } = both(observations);
    const text = await ours.metrics();
    expect(text).toContain('sessiond_http_request_duration_seconds_bucket{le="0.0005",route="/v1/session",status="200"}');
    expect(text).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    expect(JSON.stringify(await ours.getMetricsAsJSON())).toBe(JSON.stringify(await theirs.getMetricsAsJSON()));
  });

  it('is empty before the first request and after a reset, as the Histogram is', async () => {
    const empty = both([]);
    expect(await empty.ours.metrics()).toBe(await empty.theirs.metrics());
    const { theirs, ours, h, d } = both(observations);
    h.reset();
    d.reset();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('refuses what is not a number, as the Histogram does', () => {
    const { d } = both([]);
    expect(() => d.observe('/v1/session', 200, Number.NaN)).toThrow(TypeError);
  });
});
