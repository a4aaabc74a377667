import { EventSourceParserStream } from 'eventsource-parser/stream';

/** One event of sessiond's events feed (`GET /v1/admin/events`). */
export interface FeedEvent {
  event: string;
  data: string;
}

export interface FeedOptions {
  url: string;
  /** Headers for every connection besides `accept` and `last-event-id` (the app key). */
  headers: Record<string, string>;
  fetch: typeof fetch;
  signal: AbortSignal;
  onEvent(e: FeedEvent): void;
  /** Each time a connection is accepted. */
  onConnected(): void;
  /**
   * Each time an accepted connection ends (cut, closed, aborted): until the next `onConnected`,
   * endings may be missed, so whatever trusts the feed must stop trusting it.
   */
  onDisconnected?(): void;
  onError(e: unknown): void;
}

/** Until the feed sends its own `retry:`. */
const FIRST_RETRY_MS = 250;
const MAX_BACKOFF_MS = 5_000;

/**
 * Follows the feed until `signal` aborts. The first connection starts from now; later ones resume
 * where the last one stopped (Last-Event-ID), which the feed gives at connect even before any
 * event — a bare `id:` block — so a cut in a quiet time loses nothing. Reconnects after the delay
 * the feed asks for (`retry:`), doubled while connections keep failing.
 */
export async function followFeed(opts: FeedOptions): Promise<void> {
  let lastEventId: string | null = null;
  let retryMs = FIRST_RETRY_MS;
  let failures = 0;
  while (!opts.signal.aborted) {
    let connected = false;
    try {
      const headers: Record<string, string> = { ...opts.headers, accept: 'text/event-stream' };
      if (lastEventId) headers['last-event-id'] = lastEventId;
      const res = await opts.fetch(opts.url, { headers, signal: opts.signal });
      if (!res.ok || !res.body) throw new Error(`events feed answered ${res.status}`);
      connected = true;
      opts.onConnected();
      failures = 0;
      const events = res.body
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(new EventSourceParserStream({ onId: (id) => id && (lastEventId = id), onRetry: (ms) => (retryMs = ms) }))
        .getReader();
      for (;;) {
        const { value, done } = await events.read();
        if (done) break;
        opts.onEvent({ event: value.event ?? 'message', data: value.data });
      }
    } catch (e) {
      if (!opts.signal.aborted) opts.onError(e);
    } finally {
      if (connected) opts.onDisconnected?.();
    }
    if (opts.signal.aborted) return;
    await new Promise((r) => setTimeout(r, Math.min(MAX_BACKOFF_MS, retryMs * 2 ** failures++)));
  }
}
