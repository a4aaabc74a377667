import { describe, expect, it } from 'vitest';
import { SessiondError } from './errors.ts';
import { PushChannelCaps } from './push-channel-caps.ts';

/** A channel as the server holds one: closing it releases its place, as the socket's close does. */
function opener(caps: PushChannelCaps) {
  const closed: string[] = [];
  const open = (name: string, sessionId: string, userId = 'ada') => {
    let release = () => {};
    release = caps.admit(sessionId, userId, () => {
      closed.push(name);
      release();
    });
    return release;
  };
  return { open, closed };
}

const refusal = (f: () => unknown) => {
  try {
    f();
    return null;
  } catch (e) {
    return e instanceof SessiondError ? { key: e.key, status: e.status, retryAfter: e.retryAfter, details: e.details } : e;
  }
};

describe('PushChannelCaps', () => {
  it("a session at its limit closes its oldest channel for the new one, never another session's", () => {
    const caps = new PushChannelCaps({ perSession: 2, perUser: 10, perNode: 10 });
    const { open, closed } = opener(caps);
    open('a1', 'a');
    open('b1', 'b');
    open('a2', 'a');
    open('a3', 'a');
    expect(closed).toEqual(['a1']);
    open('a4', 'a');
    expect(closed).toEqual(['a1', 'a2']);
  });

  it("past the user's limit a new channel is refused with 429 rate_limited and Retry-After; a released place is free again", () => {
    const refused: string[] = [];
    const caps = new PushChannelCaps({ perSession: 5, perUser: 2, perNode: 10 }, { refused: (limit) => refused.push(limit) });
    const { open, closed } = opener(caps);
    const first = open('a1', 'a');
    open('b1', 'b');
    expect(refusal(() => open('c1', 'c'))).toEqual({ key: 'rate_limited.push_user', status: 429, retryAfter: 30, details: { limit: 'user' } });
    // Another person is not held back by this one.
    open('x1', 'x', 'bob');
    // A released place is free again.
    first();
    open('c1', 'c');
    expect(refusal(() => open('d1', 'd'))).toMatchObject({ key: 'rate_limited.push_user' });
    expect(closed).toEqual([]);
    expect(refused).toEqual(['user', 'user']);
  });

  it("past the node's limit a new channel is refused, and replacing within a session still works", () => {
    const caps = new PushChannelCaps({ perSession: 1, perUser: 10, perNode: 2 });
    const { open, closed } = opener(caps);
    open('a1', 'a', 'ada');
    open('b1', 'b', 'bob');
    expect(refusal(() => open('c1', 'c', 'cy'))).toEqual({ key: 'rate_limited.push_node', status: 429, retryAfter: 30, details: { limit: 'node' } });
    open('a2', 'a', 'ada');
    expect(closed).toEqual(['a1']);
  });

  it('tells its observer each opening and closing once, however often a release is called', () => {
    let open = 0;
    const caps = new PushChannelCaps({ perSession: 5, perUser: 5, perNode: 5 }, { opened: () => open++, closed: () => open-- });
    const release = caps.admit('a', 'ada', () => {});
    caps.admit('a', 'ada', () => {});
    expect(open).toBe(2);
    release();
    release();
    expect(open).toBe(1);
  });
});
