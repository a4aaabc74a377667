import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { followFeed, type FeedEvent } from './feed.ts';

/** A feed whose connections answer the given bodies in turn (then hang), recording each request. */
function scriptedFeed(bodies: string[]) {
  const requests: Headers[] = [];
  const fetchFn = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    requests.push(new Headers(init?.headers));
    const body = bodies.shift();
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        // As fetch does: aborting the request errors its body.
        init?.signal?.addEventListener('abort', () => {
          try {
            c.error(init.signal!.reason);
          } catch {
            // already closed
          }
        });
        if (body === undefined) return; // stays open
        c.enqueue(new TextEncoder().encode(body));
        c.close();
      },
    });
    return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }) as typeof fetch;
  return { requests, fetchFn };
}

let abort: AbortController;
beforeEach(() => (abort = new AbortController()));
afterEach(() => {
  abort.abort();
  vi.useRealTimers();
});

function follow(fetchFn: typeof fetch, events: FeedEvent[] = [], errors: unknown[] = [], states: string[] = []) {
  void followFeed({
    url: 'http://feed/v1/admin/events',
    headers: { authorization: 'Bearer k' },
    fetch: fetchFn,
    signal: abort.signal,
    onEvent: (e) => events.push(e),
    onConnected: () => states.push('connected'),
    onDisconnected: () => states.push('disconnected'),
    onError: (e) => errors.push(e),
  });
}

describe('followFeed', () => {
  it('resumes from the position the feed gives at connect, before any event, after the delay it asks for', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const feed = scriptedFeed(['retry: 1000\n\nid: 7-0\n\n']);
    follow(feed.fetchFn);
    await vi.advanceTimersByTimeAsync(999);
    expect(feed.requests).toHaveLength(1);
    expect(feed.requests[0]!.get('last-event-id')).toBeNull();
    expect(feed.requests[0]!.get('authorization')).toBe('Bearer k');
    await vi.advanceTimersByTimeAsync(1);
    expect(feed.requests).toHaveLength(2);
    expect(feed.requests[1]!.get('last-event-id')).toBe('7-0');
  });

  it('delivers named events and resumes after the last id seen', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const events: FeedEvent[] = [];
    const feed = scriptedFeed(['id: 1\n\n: heartbeat\n\nid: 2\nevent: session.ended\ndata: {"sessionId":"s1"}\n\nevent: session.ended_all\ndata: {}\n\n']);
    follow(feed.fetchFn, events);
    await vi.advanceTimersByTimeAsync(250);
    expect(events).toEqual([
      { event: 'session.ended', data: '{"sessionId":"s1"}' },
      { event: 'session.ended_all', data: '{}' },
    ]);
    expect(feed.requests[1]!.get('last-event-id')).toBe('2');
  });

  it('reports a refused connection and backs off', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const errors: unknown[] = [];
    const requests: number[] = [];
    const refusing = (async () => (requests.push(Date.now()), new Response('no', { status: 401 }))) as typeof fetch;
    follow(refusing, [], errors);
    await vi.advanceTimersByTimeAsync(250 + 500 + 1000);
    expect(requests).toHaveLength(4);
    expect(String(errors[0])).toMatch(/answered 401/);
  });

  it('says when an accepted connection ends, so a cache fed by it stops trusting itself until it is back', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const states: string[] = [];
    const feed = scriptedFeed(['id: 1\n\n']);
    follow(feed.fetchFn, [], [], states);
    await vi.advanceTimersByTimeAsync(0);
    expect(states).toEqual(['connected', 'disconnected']);
    await vi.advanceTimersByTimeAsync(250);
    expect(states).toEqual(['connected', 'disconnected', 'connected']);
    abort.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(states).toEqual(['connected', 'disconnected', 'connected', 'disconnected']);
  });
});
