import type { EventSourceMessage } from 'eventsource-parser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openPushChannel, readPushEvent, type PushChannel } from './push-channel.ts';

/** Answers each connection with the next body (split into the given chunks), then a hanging stream. */
function scriptedServer(bodies: Array<string[] | Response>) {
  const requests: Headers[] = [];
  const fetchFn = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    requests.push(new Headers(init?.headers));
    const next = bodies.shift();
    if (next instanceof Response) return next;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        if (!next) return;
        for (const chunk of next) c.enqueue(new TextEncoder().encode(chunk));
        c.close();
      },
    });
    return new Response(stream, { status: 200 });
  }) as typeof fetch;
  return { requests, fetchFn };
}

let channel: PushChannel | null = null;
afterEach(() => {
  channel?.close();
  vi.useRealTimers();
});

describe('openPushChannel', () => {
  it('delivers events split across chunks, skips heartbeats, and reconnects after the server’s retry', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const events: EventSourceMessage[] = [];
    const srv = scriptedServer([['retry: 700\n\n: keep-alive\n\nevent: session.en', 'ded\ndata: {"reason":"revoked"}\n', '\n']]);
    channel = openPushChannel({ url: 'http://test/v1/session/events', headers: async () => ({ 'x-sessiond-passive': '1' }), fetch: srv.fetchFn, onEvent: (e) => events.push(e), onRefused() {} });
    await vi.advanceTimersByTimeAsync(699);
    expect(events).toMatchObject([{ event: 'session.ended', data: '{"reason":"revoked"}' }]);
    expect(srv.requests).toHaveLength(1);
    expect(srv.requests[0]!.get('x-sessiond-passive')).toBe('1');
    await vi.advanceTimersByTimeAsync(1);
    expect(srv.requests).toHaveLength(2);
  });

  it('stops at a refusal and hands it over', async () => {
    const refused: number[] = [];
    const srv = scriptedServer([new Response('{}', { status: 401 })]);
    channel = openPushChannel({ url: 'http://test/v1/session/events', headers: async () => ({}), fetch: srv.fetchFn, onEvent() {}, onRefused: (res) => refused.push(res.status) });
    await vi.waitFor(() => expect(refused).toEqual([401]));
    expect(srv.requests).toHaveLength(1);
  });
});

describe('readPushEvent', () => {
  it('reads sessiond push events and ignores what it does not know', () => {
    expect(readPushEvent({ event: 'session.ended', data: '{"reason":"revoked","message":"Signed out.","endedAt":"2026-01-01T00:00:00.000Z"}' })).toEqual({
      type: 'ended',
      reason: 'revoked',
      message: 'Signed out.',
      endedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(readPushEvent({ event: 'session.extended', data: '{"expiresAt":"a","warnAt":"b"}' })).toEqual({ type: 'deadlines', expiresAt: 'a', warnAt: 'b', byAnother: true });
    expect(readPushEvent({ event: 'session.ended', data: 'not json' })).toBeNull();
    expect(readPushEvent({ event: 'other', data: '{}' })).toBeNull();
  });
});
