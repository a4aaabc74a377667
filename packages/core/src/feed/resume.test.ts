import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../types.ts';
import { resumeFeed } from './resume.ts';

const event = (id: string): AuditEvent => ({ id, type: 'session.ended', at: 0, userId: 'u', sessionId: `s${id}`, ip: null, reason: 'revoked_by_admin', data: {} });

/** A log holding `held` (oldest first) and a live signal the test fires by hand, at any moment. */
function setup(held: AuditEvent[]) {
  const listeners = new Set<(e: AuditEvent) => void>();
  let beforeRead: () => void = () => {};
  const log = {
    async listEvents(q: { afterId?: string; limit: number }) {
      beforeRead();
      if (q.afterId === undefined) return held.slice(-q.limit).reverse();
      return held.filter((e) => Number(e.id) > Number(q.afterId)).slice(0, q.limit);
    },
  };
  const live = (l: (e: AuditEvent) => void) => {
    listeners.add(l);
    return () => listeners.delete(l);
  };
  const fire = (e: AuditEvent) => listeners.forEach((l) => l(e));
  return { log, live, fire, onRead: (f: () => void) => (beforeRead = f) };
}

describe('resumeFeed', () => {
  it('from now: an event the log held before the start never arrives, even when the live signal brings it late', async () => {
    const old = [event('1'), event('2')];
    const { log, live, fire, onRead } = setup(old);
    const got: string[] = [];
    // The signal for event 2 reaches this node while the feed is reading its position…
    onRead(() => fire(old[1]!));
    const stop = await resumeFeed(log, live, null, (e) => got.push(e.id));
    onRead(() => {});
    // …and once more after the replay, then a new event.
    fire(old[0]!);
    fire(event('3'));
    expect(got).toEqual(['3']);
    stop();
  });

  it('after an id: what was missed, then live events, each once and in order', async () => {
    const log = [event('1'), event('2'), event('3')];
    const { log: source, live, fire, onRead } = setup(log);
    const got: string[] = [];
    onRead(() => fire(log[2]!));
    const stop = await resumeFeed(source, live, '1', (e) => got.push(e.id));
    onRead(() => {});
    fire(event('4'));
    expect(got).toEqual(['2', '3', '4']);
    stop();
  });
});
