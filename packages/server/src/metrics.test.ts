import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.ts';

describe('countValidation', () => {
  it('exports what a Counter incremented on each call would, before and after a read', async () => {
    const m = createMetrics();
    const plain = new Registry();
    const c = new Counter({ name: 'sessiond_validations_total', help: 'Credential validations, by result', labelNames: ['result'] as const, registers: [plain] });
    const count = (result: string) => {
      m.countValidation(result);
      c.labels(result).inc();
    };
    const ours = async () => (await m.registry.getSingleMetricAsString('sessiond_validations_total'));
    expect(await ours()).toBe(await plain.metrics().then((t) => t.trimEnd()));
    for (const r of ['ok', 'ok', 'invalid_token', 'ok']) count(r);
    expect(await ours()).toContain('sessiond_validations_total{result="ok"} 3');
    expect(await ours()).toBe((await plain.metrics()).trimEnd());
    // A second read hands nothing over twice; a new result after a read comes last, as before.
    for (const r of ['session_ended', 'ok']) count(r);
    expect(await ours()).toBe((await plain.metrics()).trimEnd());
    expect(await ours()).toContain('sessiond_validations_total{result="ok"} 4');
  });
});
