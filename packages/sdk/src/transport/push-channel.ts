import type { EventSourceMessage } from 'eventsource-parser';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { isEndReason, type EndReason } from '../types.ts';

export interface PushChannelOptions {
  url: string;
  /** Headers for each (re)connection: the passive marker, and the bearer token in token mode. */
  headers: () => Promise<Record<string, string>>;
  onEvent: (e: EventSourceMessage) => void;
  /** The server refused the channel (e.g. 401 session_ended): the caller finds out why. */
  onRefused: (res: Response) => void;
  fetch: typeof fetch;
}

export interface PushChannel {
  close(): void;
}

const MAX_BACKOFF_MS = 15_000;

/**
 * Listens to `GET /v1/session/events` through `fetch` rather than `EventSource`, because
 * EventSource cannot send headers: it could neither mark the channel passive (so holding it open
 * or reconnecting would count as activity and keep an idle session alive) nor carry a bearer
 * token in token mode. Reconnects after drops after the delay the server asks for (`retry:`),
 * doubled while reconnecting keeps failing, capped.
 */
export function openPushChannel(opts: PushChannelOptions): PushChannel {
  const abort = new AbortController();
  let retryMs = 2_000;
  let failures = 0;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      abort.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });

  const connectOnce = async (): Promise<'again' | 'stop'> => {
    const res = await opts.fetch(opts.url, { headers: { accept: 'text/event-stream', ...(await opts.headers()) }, cache: 'no-store', signal: abort.signal });
    if (res.status === 401 || res.status === 403) {
      opts.onRefused(res);
      return 'stop';
    }
    if (!res.ok || !res.body) return 'again';
    failures = 0;
    const events = res.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream({ onRetry: (ms) => (retryMs = ms) }))
      .getReader();
    for (;;) {
      const { done, value } = await events.read();
      if (done) return 'again';
      opts.onEvent(value);
    }
  };

  void (async () => {
    while (!abort.signal.aborted) {
      let next: 'again' | 'stop' = 'again';
      try {
        next = await connectOnce();
      } catch {
        // Network drop or abort: fall through to the backoff below.
      }
      if (next === 'stop' || abort.signal.aborted) return;
      failures++;
      await wait(Math.min(MAX_BACKOFF_MS, failures <= 1 ? retryMs : retryMs * 2 ** (failures - 1)));
    }
  })();

  return { close: () => abort.abort() };
}

/** The push channel of the current session: `open` replaces any earlier one. */
export function createPushLink(opts: PushChannelOptions): { open(): void; close(): void } {
  let channel: PushChannel | null = null;
  return {
    open() {
      channel?.close();
      channel = openPushChannel(opts);
    },
    close() {
      channel?.close();
      channel = null;
    },
  };
}

/** What the server pushed, checked: new deadlines, or the ending with its reason and message. */
export type PushEvent =
  | { type: 'deadlines'; expiresAt: string; warnAt: string; /** kept alive elsewhere (not the initial state) */ byAnother: boolean }
  | { type: 'ended'; reason: EndReason | null; message: string | null; endedAt: string | null };

export function readPushEvent(e: EventSourceMessage): PushEvent | null {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(e.data) as Record<string, unknown>;
  } catch {
    return null;
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  if (e.event === 'session.state' || e.event === 'session.extended') {
    const expiresAt = str(data.expiresAt);
    const warnAt = str(data.warnAt);
    return expiresAt && warnAt ? { type: 'deadlines', expiresAt, warnAt, byAnother: e.event === 'session.extended' } : null;
  }
  if (e.event === 'session.ended') return { type: 'ended', reason: isEndReason(data.reason) ? data.reason : null, message: str(data.message), endedAt: str(data.endedAt) };
  return null;
}
