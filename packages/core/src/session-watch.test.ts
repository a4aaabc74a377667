import { createMemoryStore } from '@sessiond/store-memory';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from './clock.ts';
import { DEFAULT_CORE_CONFIG } from './policy.ts';
import { Sessiond } from './sessiond.ts';
import { watchSession, type WatchMessage } from './session-watch.ts';
import type { AuditEvent, SessionRecord } from './types.ts';

const passwords = { hash: async (p: string) => `plain:${p}`, verify: async (h: string, p: string) => h === `plain:${p}` };
const ctx = { ip: '192.0.2.1', userAgent: null, passive: false };

describe('watchSession', () => {
  let clock: ManualClock;
  let sd: Sessiond;
  let session: SessionRecord;
  let messages: WatchMessage[];
  let finished: number;
  let stop: () => void;

  beforeEach(async () => {
    clock = new ManualClock();
    const store = createMemoryStore();
    await store.init();
    sd = new Sessiond({ store, clock, passwords, config: DEFAULT_CORE_CONFIG });
    const user = await sd.users.create('ada@example.com', 'correct horse battery');
    session = (await sd.startFor(user, { rememberMe: false, app: 'web', mode: 'cookie', ip: ctx.ip, userAgent: null, authMethods: ['pwd'] })).session;
    messages = [];
    finished = 0;
    // The store's own events stand in for the feed: every node's events reach its subscribers.
    const subscribe = (id: string, listener: (e: AuditEvent) => void) => store.subscribe((e) => (e.sessionId === id || e.type === 'sessions.ended_all') && listener(e));
    stop = watchSession(sd, session, ctx, { subscribe, send: (m) => messages.push(m), finished: () => finished++ });
  });
  const events = () => messages.map((m) => m.event);

  it('first tells the deadlines the browser schedules its warning by', () => {
    expect(messages).toEqual([
      { event: 'session.state', data: { expiresAt: new Date(session.idleExpiresAt).toISOString(), warnAt: new Date(session.idleExpiresAt - 2 * 60_000).toISOString(), idleExpiresAt: new Date(session.idleExpiresAt).toISOString(), absoluteExpiresAt: new Date(session.absoluteExpiresAt).toISOString() } },
    ]);
  });

  it('reports the idle deadline when the clock reaches it, with the reason and its message, once', async () => {
    clock.advance('29m');
    expect(events()).toEqual(['session.state']);
    // The check runs just past the deadline, so it finds it passed.
    clock.advance('1m');
    clock.advance(50);
    await vi.waitFor(() => expect(finished).toBe(1));
    expect(messages[1]).toEqual({ event: 'session.ended', data: { reason: 'idle_timeout', message: 'You were signed out after 30 minutes without activity.', endedAt: new Date(session.idleExpiresAt).toISOString() } });
    clock.advance('1h');
    expect(events()).toEqual(['session.state', 'session.ended']);
  });

  it('tells an extension by another tab, and re-arms at the new deadline', async () => {
    clock.advance('10m');
    await sd.sessions.extend(session);
    await vi.waitFor(() => expect(events()).toEqual(['session.state', 'session.extended']));
    const extended = messages[1]!.data as { idleExpiresAt: string; warningBeforeMs: number };
    expect(extended.idleExpiresAt).toBe(new Date(clock.now() + 30 * 60_000).toISOString());
    expect(extended.warningBeforeMs).toBe(2 * 60_000);
    // The new deadline replaced the old one: nothing happens at the first.
    clock.advance('21m');
    await Promise.resolve();
    expect(finished).toBe(0);
    clock.advance(9 * 60_000 + 50);
    await vi.waitFor(() => expect(finished).toBe(1));
    expect(messages[2]).toMatchObject({ event: 'session.ended', data: { reason: 'idle_timeout' } });
  });

  it('reports an ending elsewhere the moment its event arrives, with who ended it', async () => {
    await sd.sessions.end(session.id, 'revoked', { byDevice: 'Firefox on Windows', bySessionId: 'other' });
    await vi.waitFor(() => expect(finished).toBe(1));
    expect(messages[1]).toMatchObject({ event: 'session.ended', data: { reason: 'revoked', message: 'You were signed out from another of your sessions (Firefox on Windows).' } });
  });

  it('reports an ending of every session as global_logout', async () => {
    await sd.sessions.endAll('global_logout');
    await vi.waitFor(() => expect(finished).toBe(1));
    expect(messages[1]).toMatchObject({ event: 'session.ended', data: { reason: 'global_logout' } });
  });

  it('after stop, tells nothing and arms no timer', async () => {
    stop();
    await sd.sessions.end(session.id, 'revoked');
    clock.advance('1d');
    await Promise.resolve();
    expect(events()).toEqual(['session.state']);
    expect(finished).toBe(0);
  });
});
