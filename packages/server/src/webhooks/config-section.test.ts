import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const dir = mkdtempSync(join(tmpdir(), 'sessiond-webhook-config-'));
let n = 0;
function file(doc: unknown): string {
  const path = join(dir, `c${n++}.json`);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}
const load = (doc: unknown) => loadConfig({ SESSIOND_CONFIG: file(doc) });

describe('SESSIOND_CONFIG webhooks', () => {
  it('reads webhooks, alone or beside apps', () => {
    const hook = { url: 'https://app.example.com/hooks', events: ['session.started', 'session.ended'], secret: SECRET };
    expect(load({ webhooks: [hook] }).webhooks.configured).toEqual([{ ...hook, apps: null }]);
    const both = load({ apps: { banking: {} }, webhooks: [{ ...hook, apps: ['banking'] }] });
    expect(both.webhooks.configured[0]!.apps).toEqual(['banking']);
    expect(both.core.apps).toContain('banking');
  });

  it.each([
    [{ webhooks: {} }, /"webhooks" must be a list/],
    [{ webhooks: [{ url: 'ftp://x', events: ['session.started'], secret: SECRET }] }, /webhooks\[0\]\.url/],
    [{ webhooks: [{ url: 'https://a:b@x.example', events: ['session.started'], secret: SECRET }] }, /webhooks\[0\]\.url/],
    [{ webhooks: [{ url: 'https://x.example', events: ['session.extended'], secret: SECRET }] }, /webhooks\[0\]\.events/],
    [{ webhooks: [{ url: 'https://x.example', events: ['session.started'], secret: 'hunter2' }] }, /webhooks\[0\]\.secret must be whsec_/],
    [{ webhooks: [{ url: 'https://x.example', events: ['session.started'], secret: `whsec_${Buffer.alloc(8).toString('base64')}` }] }, /webhooks\[0\]\.secret/],
    [{ webhooks: [{ url: 'https://x.example', events: ['session.started'], secret: SECRET, retries: 3 }] }, /webhooks\[0\]\.retries is not a known setting/],
    [{ webhooks: [{ url: 'https://x.example', events: ['session.started'], secret: SECRET, apps: ['Web'] }] }, /webhooks\[0\]\.apps/],
    [{ webhooks: [{ url: 'https://x.example/', events: ['session.started'], secret: SECRET }, { url: 'https://x.example/', events: ['session.ended'], secret: SECRET }] }, /listed twice/],
    [{ webhook: [] }, /"webhook" is not a known section/],
  ])('stops start-up naming what is wrong: %j', (doc, problem) => {
    expect(() => load(doc)).toThrow(problem);
  });

  it('reads the retry knobs, refusing a retry window under a second', () => {
    const c = loadConfig({ SESSIOND_WEBHOOK_RETRY_BASE: '50ms', SESSIOND_WEBHOOK_RETRY_FOR: '2m', SESSIOND_WEBHOOK_TIMEOUT: '500ms' });
    expect(c.webhooks.retry).toMatchObject({ baseMs: 50, giveUpAfterMs: 120_000 });
    expect(c.webhooks.timeoutMs).toBe(500);
    expect(loadConfig({}).webhooks.retry).toMatchObject({ baseMs: 5_000, giveUpAfterMs: 86_400_000 });
    expect(() => loadConfig({ SESSIOND_WEBHOOK_RETRY_FOR: '10ms' })).toThrow(/SESSIOND_WEBHOOK_RETRY_FOR/);
  });
});
