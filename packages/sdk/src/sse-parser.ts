/** One Server-Sent Event as the HTML standard's parser yields it. */
export interface ServerSentEvent {
  event: string;
  data: string;
  id: string | null;
}

/**
 * Incremental `text/event-stream` parser (WHATWG HTML §9.2.6): feed it decoded text chunks in any
 * split and it calls `onEvent` once per complete event. Comments (heartbeats) are dropped;
 * `retry:` is reported so the caller can honour the server's reconnect delay.
 */
export function createSseParser(onEvent: (e: ServerSentEvent) => void, onRetry: (ms: number) => void = () => {}) {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | null = null;

  const dispatch = () => {
    if (data.length > 0) onEvent({ event: event || 'message', data: data.join('\n'), id });
    event = '';
    data = [];
  };

  const line = (l: string) => {
    if (l === '') return dispatch();
    if (l.startsWith(':')) return;
    const colon = l.indexOf(':');
    const field = colon === -1 ? l : l.slice(0, colon);
    let value = colon === -1 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) onRetry(Number(value));
  };

  return {
    push(chunk: string): void {
      buffer += chunk;
      // Lines end in CRLF, LF or CR; a trailing CR may be the first half of a CRLF, so keep it.
      const parts = buffer.split(/\r\n|\n|\r(?!$)/);
      buffer = parts.pop() ?? '';
      for (const l of parts) line(l);
    },
  };
}
