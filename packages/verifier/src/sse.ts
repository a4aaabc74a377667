export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/** Incremental Server-Sent Events parser: feed it text chunks, get whole messages back. */
export class SseParser {
  private buffer = '';
  /**
   * The stream's position: the last `id:` seen, also from a block without data (which the
   * EventSource standard counts too; sessiond sends one at connect, before any event).
   */
  lastEventId: string | null = null;

  push(chunk: string): SseMessage[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    const out: SseMessage[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const msg: SseMessage = { event: 'message', data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (!line || line.startsWith(':')) continue;
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        if (field === 'event') msg.event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id') msg.id = this.lastEventId = value;
      }
      if (data.length) out.push({ ...msg, data: data.join('\n') });
    }
    return out;
  }
}
