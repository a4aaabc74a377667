import type { Metric, Registry } from 'prom-client';

/** One series: a route and a status, with prom-client's histogram fields. */
interface Series {
  labels: { route: string; status: string };
  /** Observations per bucket, not cumulative; the last slot counts those above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * `sessiond_http_request_duration_seconds{route,status}`, observed once per request. A
 * prom-client Histogram child checks its label names, builds a hash string and allocates on
 * every observe, a measurable share of the hot path (GET /v1/session); this one finds the series
 * in two map lookups and adds. Registered in the same registry, it exports exactly what the
 * Histogram would (the same lines in the same order: request-durations.test.ts compares them).
 */
export class RequestDurations {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly bounds: readonly number[];
  /** route → status → series; series also in first-observed order, as prom-client exports them. */
  private byRoute = new Map<string, Map<number, Series>>();
  private series: Series[] = [];

  constructor(opts: { name: string; help: string; buckets: number[]; registers: Registry[] }) {
    this.name = opts.name;
    this.help = opts.help;
    // In the given order, as prom-client keeps them (ours are ascending).
    this.bounds = [...opts.buckets];
    // The registry asks only for what a metric exports (getForPromString, get, reset).
    for (const r of opts.registers) r.registerMetric(this as unknown as Metric);
  }

  observe(route: string, status: number, seconds: number): void {
    if (!Number.isFinite(seconds)) throw new TypeError(`Value is not a valid number: ${seconds}`);
    let statuses = this.byRoute.get(route);
    if (!statuses) this.byRoute.set(route, (statuses = new Map()));
    let s = statuses.get(status);
    if (!s) {
      s = { labels: { route, status: String(status) }, counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      statuses.set(status, s);
      this.series.push(s);
    }
    let i = 0;
    while (i < this.bounds.length && seconds > this.bounds[i]!) i++;
    s.counts[i]!++;
    s.sum += seconds;
    s.count += 1;
  }

  /** What prom-client's Histogram#getForPromString returns: each series' buckets, +Inf, sum, count. */
  getForPromString() {
    const bucket = `${this.name}_bucket`;
    const values: { labels: Record<string, string | number>; sharedLabels: Series['labels']; value: number; metricName: string; exemplar: null | undefined }[] = [];
    for (const s of this.series) {
      let acc = 0;
      this.bounds.forEach((le, i) => {
        acc += s.counts[i]!;
        values.push({ labels: { le }, sharedLabels: s.labels, value: acc, metricName: bucket, exemplar: null });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: bucket, exemplar: null });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum`, exemplar: undefined });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count`, exemplar: undefined });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** As Histogram#get: the shared labels folded into each value's own (the JSON form). */
  get() {
    const data = this.getForPromString();
    return { ...data, values: data.values.map(({ sharedLabels, labels, ...v }) => ({ ...v, labels: { ...labels, ...sharedLabels } })) };
  }

  reset(): void {
    this.byRoute = new Map();
    this.series = [];
  }
}
