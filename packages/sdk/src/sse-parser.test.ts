import { describe, expect, it } from 'vitest';
import { readPushEvent } from './push-channel.ts';
import { createSseParser, type ServerSentEvent } from './sse-parser.ts';

function parse(chunks: string[]) {
  const events: ServerSentEvent[] = [];
  const retries: number[] = [];
  const p = createSseParser((e) => events.push(e), (ms) => retries.push(ms));
  for (const c of chunks) p.push(c);
  return { events, retries };
}

describe('createSseParser', () => {
  it('parses named events split across chunks and skips heartbeats', () => {
    const { events, retries } = parse(['retry: 2000\n\n: keep-alive\n\nevent: session.en', 'ded\ndata: {"reason":"revoked"}\n', '\n']);
    expect(retries).toEqual([2000]);
    expect(events).toEqual([{ event: 'session.ended', data: '{"reason":"revoked"}', id: null }]);
  });

  it('joins multi-line data and accepts CRLF', () => {
    const { events } = parse(['data: a\r\ndata: b\r\n\r\n']);
    expect(events).toEqual([{ event: 'message', data: 'a\nb', id: null }]);
  });

  it('waits for the blank line before dispatching', () => {
    const { events } = parse(['event: x\ndata: 1\n']);
    expect(events).toEqual([]);
  });

  it('reads sessiond push events and ignores what it does not know', () => {
    expect(readPushEvent({ event: 'session.ended', data: '{"reason":"revoked","message":"Signed out.","endedAt":"2026-01-01T00:00:00.000Z"}', id: null })).toEqual({
      type: 'ended',
      reason: 'revoked',
      message: 'Signed out.',
      endedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(readPushEvent({ event: 'session.extended', data: '{"expiresAt":"a","warnAt":"b"}', id: null })).toEqual({ type: 'deadlines', expiresAt: 'a', warnAt: 'b', byAnother: true });
    expect(readPushEvent({ event: 'session.ended', data: 'not json', id: null })).toBeNull();
    expect(readPushEvent({ event: 'other', data: '{}', id: null })).toBeNull();
  });
});
