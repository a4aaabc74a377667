import type { AuditEvent } from '@sessiond/core';
import { describe, expect, it } from 'vitest';
import { compareEventIds, eventually, sleep, type SuiteContext } from '../context.ts';
import { makeEvent } from '../fixtures.ts';

const idsOf = (events: AuditEvent[]) => events.map((e) => e.id);

export function describeEvents(ctx: SuiteContext): void {
  describe('audit events and the feed', () => {
    it('records an event exactly, with a store-assigned id', async () => {
      const event = makeEvent({ type: 'session.ended', userId: 'u1', sessionId: 's1', ip: null, reason: 'revoked', data: { app: 'web', by: { device: 'Firefox on Windows' }, n: 2 } });
      const recorded = await ctx.store.recordEvent(event);
      expect(recorded).toEqual({ ...event, id: expect.any(String) });
      expect(await ctx.store.listEvents({ limit: 10 })).toEqual([recorded]);
    });

    it('assigns increasing ids, even to events recorded concurrently', async () => {
      const sequential: string[] = [];
      for (let i = 0; i < 5; i++) sequential.push((await ctx.store.recordEvent(makeEvent({ sessionId: `s${i}` }))).id);
      expect([...sequential].sort(compareEventIds)).toEqual(sequential);
      expect(new Set(sequential).size).toBe(5);
      const concurrent = await Promise.all(Array.from({ length: 20 }, (_, i) => ctx.store.recordEvent(makeEvent({ sessionId: `c${i}` }))));
      expect(new Set(idsOf(concurrent)).size).toBe(20);
      for (const e of concurrent) expect(compareEventIds(e.id, sequential[4]!)).toBe(1);
      const all = await ctx.store.listEvents({ limit: 100 });
      expect(idsOf(all)).toEqual([...idsOf(all)].sort(compareEventIds).reverse());
    });

    it('lists newest first, up to the limit, with filters combined by AND', async () => {
      const a = await ctx.store.recordEvent(makeEvent({ userId: 'u1', sessionId: 's1' }));
      const b = await ctx.store.recordEvent(makeEvent({ userId: 'u2', sessionId: 's2' }));
      const c = await ctx.store.recordEvent(makeEvent({ type: 'session.ended', userId: 'u1', sessionId: 's1', reason: 'logged_out' }));
      const d = await ctx.store.recordEvent(makeEvent({ userId: 'u1', sessionId: 's3' }));
      expect(idsOf(await ctx.store.listEvents({ limit: 10 }))).toEqual(idsOf([d, c, b, a]));
      expect(idsOf(await ctx.store.listEvents({ limit: 2 }))).toEqual(idsOf([d, c]));
      expect(idsOf(await ctx.store.listEvents({ userId: 'u1', limit: 10 }))).toEqual(idsOf([d, c, a]));
      expect(idsOf(await ctx.store.listEvents({ sessionId: 's2', limit: 10 }))).toEqual(idsOf([b]));
      expect(await ctx.store.listEvents({ userId: 'u1', sessionId: 's1', limit: 10 })).toEqual([c, a]);
      expect(await ctx.store.listEvents({ userId: 'u2', sessionId: 's1', limit: 10 })).toEqual([]);
      expect(await ctx.store.listEvents({ userId: 'nobody', limit: 10 })).toEqual([]);
    });

    it('pages back before an id, newest first, and keeps only the types asked for (a person\'s activity)', async () => {
      const events: AuditEvent[] = [];
      const types = ['session.started', 'session.extended', 'session.ended', 'login.failed', 'session.extended', 'session.started'] as const;
      for (const [i, type] of types.entries()) events.push(await ctx.store.recordEvent(makeEvent({ type, userId: i === 3 ? 'other' : 'me', sessionId: `s${i}` })));
      const ids = idsOf(events);
      expect(idsOf(await ctx.store.listEvents({ beforeId: ids[4]!, limit: 10 }))).toEqual([ids[3], ids[2], ids[1], ids[0]]);
      expect(idsOf(await ctx.store.listEvents({ beforeId: ids[4]!, limit: 2 }))).toEqual([ids[3], ids[2]]);
      const shown = ['session.started', 'session.ended', 'login.failed'] as const;
      expect(idsOf(await ctx.store.listEvents({ userId: 'me', types: shown, limit: 10 }))).toEqual([ids[5], ids[2], ids[0]]);
      expect(idsOf(await ctx.store.listEvents({ userId: 'me', types: shown, beforeId: ids[5]!, limit: 1 }))).toEqual([ids[2]]);
      expect(idsOf(await ctx.store.listEvents({ types: ['login.failed'], limit: 10 }))).toEqual([ids[3]]);
      expect(await ctx.store.listEvents({ beforeId: ids[0]!, limit: 10 })).toEqual([]);
    });

    it('lists the events after an id oldest first (feed resume), with filters', async () => {
      const events: AuditEvent[] = [];
      for (let i = 0; i < 6; i++) events.push(await ctx.store.recordEvent(makeEvent({ userId: i % 2 ? 'odd' : 'even', sessionId: `s${i}` })));
      const ids = idsOf(events);
      expect(await ctx.store.listEvents({ afterId: ids[1]!, limit: 10 })).toEqual(events.slice(2));
      expect(idsOf(await ctx.store.listEvents({ afterId: ids[1]!, limit: 2 }))).toEqual(ids.slice(2, 4));
      expect(idsOf(await ctx.store.listEvents({ afterId: ids[0]!, userId: 'odd', limit: 10 }))).toEqual([ids[1], ids[3], ids[5]]);
      expect(await ctx.store.listEvents({ afterId: ids[5]!, limit: 10 })).toEqual([]);
    });

    it('delivers recorded events to every subscriber until it unsubscribes', async () => {
      const first: AuditEvent[] = [];
      const second: AuditEvent[] = [];
      const unsubscribeFirst = ctx.store.subscribe((e) => first.push(e));
      const unsubscribeSecond = ctx.store.subscribe((e) => second.push(e));
      await sleep(100); // remote stores subscribe over a connection of their own
      const one = await ctx.store.recordEvent(makeEvent({ type: 'session.ended', userId: 'u1', sessionId: 's1', reason: 'revoked' }));
      await eventually(() => first.length > 0 && second.length > 0);
      expect(first).toEqual([one]);
      expect(second).toEqual([one]);
      unsubscribeFirst();
      const two = await ctx.store.recordEvent(makeEvent({ sessionId: 's2' }));
      await eventually(() => second.length > 1);
      await sleep(100);
      expect(first).toEqual([one]);
      expect(second).toEqual([one, two]);
      unsubscribeSecond();
      await ctx.store.recordEvent(makeEvent({ sessionId: 's3' }));
      await sleep(150);
      expect(second).toHaveLength(2);
    });
  });
}
