import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.ts';
import { BROWSER_CAUSE_MESSAGES } from './browser-endings.ts';
import { endsSession, GENERIC_ENDING, initialState, liveDeadlines, signedInOf, stateName, transition, type Effect, type MachineEvent, type MachineState, type StateName } from './session-machine.ts';
import type { Ending } from './types.ts';

const NOW = Date.parse('2026-01-01T12:00:00.000Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();
const MIN = 60_000;
const user = { id: 'u1', email: 'a@example.com', createdAt: at(0), totpEnabled: false };
const someoneElse = { ...user, id: 'u2', email: 'b@example.com' };
/** A session idle-timing out in 30 minutes, warning `warnIn` from now. */
const session = (id = 's1', warnIn = 28 * MIN) => ({
  id, userId: 'u1', app: 'web', current: true, createdAt: at(0), lastActiveAt: at(0), idleExpiresAt: at(30 * MIN), absoluteExpiresAt: at(12 * 60 * MIN),
  expiresAt: at(30 * MIN), warnAt: at(warnIn), rememberMe: false, trustedDevice: false, device: { browser: null, os: null, type: 'desktop', label: 'Desktop' }, location: null, ip: null, sso: null,
});
const idle = new ApiError(401, 'session_ended', 'You were signed out after 30 minutes without activity.', 'idle_timeout', at(0));
const byHand: Ending = { reason: 'logged_out', message: 'You signed out.', endedAt: at(0), byThisBrowser: true };

const step = (m: MachineState, e: MachineEvent) => transition(m, e, NOW);
const types = (effects: Effect[]) => effects.map((e) => (e.type === 'emit' ? `emit:${e.name}` : e.type));

/** One machine in each state, all about session s1 of u1. */
function inEach(): Record<StateName, MachineState> {
  const loading = initialState();
  const signedIn = step(loading, { type: 'session-found', user, session: session() }).state;
  const due = step(loading, { type: 'session-found', user, session: session('s1', -MIN) }).state;
  return {
    loading,
    'signed-out': step(loading, { type: 'no-credentials' }).state,
    'signed-in': signedIn,
    warning: step(due, { type: 'warning-due', expiresAt: NOW + 30 * MIN }).state,
    ended: step(signedIn, { type: 'refused', error: idle }).state,
  };
}

const later = session('s1', 29 * MIN);
const events: Record<string, MachineEvent> = {
  'no-credentials': { type: 'no-credentials' },
  'session-found': { type: 'session-found', user, session: later },
  'signed-in': { type: 'signed-in', user, session: session('s2') },
  extended: { type: 'extended', session: later, sentAt: NOW },
  refreshed: { type: 'refreshed', session: later },
  'pushed deadlines': { type: 'pushed', push: { type: 'deadlines', expiresAt: later.expiresAt, warnAt: later.warnAt, byAnother: true } },
  'pushed revoked': { type: 'pushed', push: { type: 'ended', reason: 'revoked', message: 'Signed out from another device.', endedAt: at(0) } },
  'pushed logged_out': { type: 'pushed', push: { type: 'ended', reason: 'logged_out', message: null, endedAt: at(0) } },
  'tab: session': { type: 'from-tab', message: { type: 'session', session: later, sentAt: NOW } },
  'tab: ended': { type: 'from-tab', message: { type: 'ended', sessionId: 's1', ending: { reason: 'revoked', message: 'Revoked.', endedAt: at(0), byThisBrowser: false } } },
  'tab: signed out': { type: 'from-tab', message: { type: 'ended', sessionId: 's1', ending: byHand } },
  'tab: signed-in': { type: 'from-tab', message: { type: 'signed-in', userId: 'u1', session: session('s2') } },
  'warning-due': { type: 'warning-due', expiresAt: NOW + 30 * MIN },
  'refused session_ended': { type: 'refused', error: idle },
  'refused unauthenticated': { type: 'refused', error: new ApiError(401, 'unauthenticated', 'Sign in.') },
  'refused forbidden': { type: 'refused', error: new ApiError(403, 'forbidden', 'No.') },
  'ended-here': { type: 'ended-here', ending: byHand },
  'held-changed': { type: 'held-changed', count: 2 },
  'sign-out-asked': { type: 'sign-out-asked', reason: 'logged_out' },
};

// Each row: the state reached from loading, signed-out, signed-in, warning, ended.
const expected: Record<string, [StateName, StateName, StateName, StateName, StateName]> = {
  'no-credentials': ['signed-out', 'signed-out', 'signed-out', 'signed-out', 'signed-out'],
  'session-found': ['signed-in', 'signed-in', 'signed-in', 'signed-in', 'signed-in'],
  'signed-in': ['signed-in', 'signed-in', 'signed-in', 'signed-in', 'signed-in'],
  extended: ['loading', 'signed-out', 'signed-in', 'signed-in', 'ended'],
  refreshed: ['loading', 'signed-out', 'signed-in', 'signed-in', 'ended'],
  'pushed deadlines': ['loading', 'signed-out', 'signed-in', 'signed-in', 'ended'],
  'pushed revoked': ['signed-out', 'signed-out', 'ended', 'ended', 'ended'],
  'pushed logged_out': ['signed-out', 'signed-out', 'signed-out', 'signed-out', 'signed-out'],
  'tab: session': ['loading', 'signed-out', 'signed-in', 'signed-in', 'ended'],
  // Another tab's ending of s1 means nothing to a page that never had s1.
  'tab: ended': ['loading', 'signed-out', 'ended', 'ended', 'ended'],
  'tab: signed out': ['loading', 'signed-out', 'signed-out', 'signed-out', 'signed-out'],
  'tab: signed-in': ['loading', 'signed-out', 'signed-in', 'warning', 'ended'],
  'warning-due': ['loading', 'signed-out', 'warning', 'warning', 'ended'],
  'refused session_ended': ['signed-out', 'signed-out', 'ended', 'ended', 'ended'],
  'refused unauthenticated': ['signed-out', 'signed-out', 'ended', 'ended', 'ended'],
  'refused forbidden': ['signed-out', 'signed-out', 'signed-in', 'warning', 'ended'],
  'ended-here': ['signed-out', 'signed-out', 'signed-out', 'signed-out', 'signed-out'],
  'held-changed': ['loading', 'signed-out', 'signed-in', 'warning', 'ended'],
  'sign-out-asked': ['loading', 'signed-out', 'signed-in', 'warning', 'ended'],
};

describe('transition: every state × event', () => {
  const from: StateName[] = ['loading', 'signed-out', 'signed-in', 'warning', 'ended'];
  for (const [name, event] of Object.entries(events)) {
    it(name, () => {
      const states = inEach();
      expect(from.map((s) => stateName(step(states[s], event).state.view))).toEqual(expected[name]);
    });
  }
});

describe('transition: what each change does', () => {
  it('a sign-in opens the drafts, counts as activity, arms the timers, opens the push channel and sends held requests', () => {
    const t = step(inEach().ended, { type: 'signed-in', user, session: session('s2') });
    expect(types(t.effects)).toEqual(['unlock-drafts', 'activity-sent', 'schedule-keep-alive', 'open-push', 'release-held', 'emit:signedIn', 'tell-tabs', 'emit:sessionsChanged']);
    expect(t.effects).toContainEqual({ type: 'release-held', error: null });
    expect(t.state.view).toMatchObject({ status: 'signed-in', covered: false, ending: null, warning: false, expiresAt: NOW + 30 * MIN, warnAt: NOW + 28 * MIN });
    expect(signedInOf(t.effects)).toMatchObject({ sameUser: true });
    // Found by the status check rather than signed in here: other tabs are not told.
    expect(types(step(initialState(), { type: 'session-found', user, session: session() }).effects)).not.toContain('tell-tabs');
  });

  it('someone else signing in over an ended page: still covered, drafts shut, held requests refused', () => {
    const t = step(inEach().ended, { type: 'signed-in', user: someoneElse, session: session('s3') });
    expect(t.state.view).toMatchObject({ status: 'signed-in', covered: true, user: someoneElse });
    expect(types(t.effects)).not.toContain('unlock-drafts');
    expect(t.effects).toContainEqual({ type: 'release-held', error: expect.objectContaining({ code: 'user_changed' }) });
    expect(signedInOf(t.effects)).toMatchObject({ sameUser: false });
    // The covered page belongs to u1 until u1 is back.
    const back = step(t.state, { type: 'signed-in', user, session: session('s4') });
    expect(back.state.view.covered).toBe(false);
  });

  it('an ending from elsewhere covers the page, seals the drafts and tells the other tabs', () => {
    const t = step(inEach()['signed-in'], events['pushed revoked']!);
    expect(t.state.view).toMatchObject({ status: 'ended', covered: true, user, ending: { reason: 'revoked', message: 'Signed out from another device.', byThisBrowser: false } });
    expect(types(t.effects)).toEqual(['stop-live-work', 'forget-credentials', 'lock-drafts', 'emit:ended', 'tell-tabs']);
    expect(t.effects).toContainEqual({ type: 'forget-credentials', sessionId: 's1' });
    // Heard from another tab: not echoed back.
    expect(types(step(inEach()['signed-in'], events['tab: ended']!).effects)).not.toContain('tell-tabs');
  });

  it('a sign-out in this browser erases the drafts and gives up the held requests; the next person starts afresh', () => {
    const t = step(inEach().warning, events['ended-here']!);
    expect(t.state.view).toMatchObject({ status: 'signed-out', user: null, session: null, expiresAt: null, warning: false, covered: false, ending: byHand });
    expect(types(t.effects)).toEqual(['stop-live-work', 'forget-credentials', 'erase-drafts', 'lock-drafts', 'release-held', 'emit:ended', 'tell-tabs']);
    expect(t.effects).toContainEqual({ type: 'release-held', error: expect.objectContaining({ code: 'session_ended', reason: 'logged_out' }) });
    expect(signedInOf(step(t.state, { type: 'signed-in', user: someoneElse, session: session('s9') }).effects)).toMatchObject({ sameUser: true });
  });

  it('a sign-out from another tab after this page had ended still erases the drafts here', () => {
    const t = step(inEach().ended, events['tab: signed out']!);
    expect(types(t.effects)).toEqual(['erase-drafts', 'lock-drafts', 'release-held']);
  });

  it('the push event of a sign-out asked for here may arrive before the answer: it counts as this browser’s', () => {
    const asked = step(inEach()['signed-in'], { type: 'sign-out-asked', reason: 'revoked_all' }).state;
    const pushed = { type: 'pushed', push: { type: 'ended', reason: 'revoked_all', message: 'All.', endedAt: at(0) } } as const;
    expect(step(asked, pushed).state.view).toMatchObject({ status: 'signed-out', ending: { byThisBrowser: true } });
    const answered = step(asked, { type: 'sign-out-answered' }).state;
    expect(step(answered, pushed).state.view).toMatchObject({ status: 'ended', ending: { byThisBrowser: false } });
  });

  it('once over, a later, more telling explanation replaces the generic one, never the reverse', () => {
    const vague = step(inEach()['signed-in'], events['refused unauthenticated']!).state;
    expect(vague.view.ending).toMatchObject({ reason: null, message: GENERIC_ENDING });
    const told = step(vague, events['pushed revoked']!);
    expect(told.state.view.ending).toMatchObject({ reason: 'revoked' });
    expect(told.effects).toEqual([]);
    expect(step(told.state, events['refused unauthenticated']!).state.view.ending).toMatchObject({ reason: 'revoked' });
  });

  it('refused while loading: signed out, with the reason when the server gave one', () => {
    expect(step(initialState(), { type: 'refused', error: idle }).state.view.ending).toMatchObject({ reason: 'idle_timeout', byThisBrowser: false });
    expect(step(initialState(), events['refused unauthenticated']!).state.view.ending).toBeNull();
  });

  it('endings only the browser sees: their own sentence and cause, signed in or loading; a server reason outranks them', () => {
    const gone = new ApiError(401, 'unauthenticated', 'Please sign in to continue.');
    const removed = step(inEach()['signed-in'], { type: 'refused', error: gone, cause: 'cookies_removed' }).state.view;
    expect(removed).toMatchObject({ status: 'ended', covered: true, ending: { reason: null, cause: 'cookies_removed', message: BROWSER_CAUSE_MESSAGES.cookies_removed } });
    const damaged = step(initialState(), { type: 'refused', error: new ApiError(401, 'invalid_token', 'Damaged.'), cause: 'cookie_damaged' }).state.view;
    expect(damaged).toMatchObject({ status: 'signed-out', ending: { cause: 'cookie_damaged', message: BROWSER_CAUSE_MESSAGES.cookie_damaged } });
    // The server's reason, arriving later (another tab, the push channel), replaces the guess.
    const ended = step(inEach()['signed-in'], { type: 'refused', error: gone, cause: 'cookies_removed' }).state;
    expect(step(ended, events['pushed revoked']!).state.view.ending).toMatchObject({ reason: 'revoked' });
    // …but a browser cause never replaces a server reason.
    const revoked = step(inEach()['signed-in'], events['pushed revoked']!).state;
    expect(step(revoked, { type: 'refused', error: gone, cause: 'cookies_removed' }).state.view.ending).toMatchObject({ reason: 'revoked' });
  });

  it('deadlines are turned into device times with the server clock offset', () => {
    const skewed = transition(initialState(), { type: 'session-found', user, session: session() }, NOW + 10 * MIN, -10 * MIN).state.view;
    // Server − device = −10 min: the device sees the deadline ten minutes later than the server writes it.
    expect(skewed.expiresAt).toBe(NOW + 30 * MIN + 10 * MIN);
    expect(skewed.warnAt).toBe(NOW + 28 * MIN + 10 * MIN);
    expect(skewed.warning).toBe(false);
  });

  it('the warning shows once, and closes only when the deadlines move past it', () => {
    const { warning } = inEach();
    expect(step(warning, events['warning-due']!).effects).toEqual([]);
    expect(types(step(inEach()['signed-in'], events['warning-due']!).effects)).toEqual(['emit:warning']);
    // The same deadlines again (a status check): still warning.
    expect(stateName(step(warning, { type: 'session-found', user, session: session('s1', -MIN) }).state.view)).toBe('warning');
  });

  it('activity acknowledged here is shared with the tabs; another tab’s counts as sent', () => {
    const { 'signed-in': signedIn } = inEach();
    expect(step(signedIn, events.extended!).effects).toContainEqual({ type: 'tell-tabs', message: { type: 'session', session: later, sentAt: NOW } });
    expect(types(step(signedIn, events['tab: session']!).effects)).toEqual(['activity-sent', 'schedule-keep-alive']);
    // A session this tab does not have is none of its business.
    expect(step(signedIn, { type: 'from-tab', message: { type: 'session', session: session('s7'), sentAt: NOW } }).effects).toEqual([]);
  });

  it('other tabs: a sign-in there is checked with the server; tokens are adopted; list changes are passed on', () => {
    const { 'signed-in': signedIn } = inEach();
    expect(step(signedIn, events['tab: signed-in']!).effects).toEqual([{ type: 'check-status' }]);
    expect(step(signedIn, { type: 'from-tab', message: { type: 'signed-in', userId: 'u1', session: session() } }).effects).toEqual([]);
    expect(step(signedIn, { type: 'from-tab', message: { type: 'tokens', tokens: null } }).effects).toEqual([{ type: 'adopt-tokens', tokens: null }]);
    expect(types(step(signedIn, { type: 'from-tab', message: { type: 'sessions-changed' } }).effects)).toEqual(['emit:sessionsChanged']);
  });

  it('pushed deadlines kept alive elsewhere say the sessions list changed, signed in or not', () => {
    expect(types(step(inEach().ended, events['pushed deadlines']!).effects)).toEqual(['emit:sessionsChanged']);
    expect(types(step(inEach()['signed-in'], events['pushed deadlines']!).effects)).toEqual(['schedule-keep-alive', 'emit:sessionsChanged']);
  });

  it('held requests are counted in every state', () => {
    for (const m of Object.values(inEach())) expect(step(m, events['held-changed']!).state.view.heldRequests).toBe(2);
  });
});

describe('liveDeadlines and endsSession', () => {
  it('gives the keep-alive the deadlines and idle window only while signed in', () => {
    const states = inEach();
    expect(liveDeadlines(states['signed-in'])).toEqual({ expiresAt: NOW + 30 * MIN, warnAt: NOW + 28 * MIN, idleWindowMs: 30 * MIN, warning: false });
    expect(liveDeadlines(states.warning)).toMatchObject({ warning: true });
    for (const s of ['loading', 'signed-out', 'ended'] as const) expect(liveDeadlines(states[s])).toBeNull();
  });

  it('"no credential" ends the session only of a page that had one', () => {
    const noCredential = new ApiError(401, 'unauthenticated', 'Sign in.');
    const states = inEach();
    expect(endsSession(states['signed-in'].view, noCredential)).toBe(true);
    expect(endsSession(states.ended.view, noCredential)).toBe(true);
    expect(endsSession(states['signed-out'].view, noCredential)).toBe(false);
    expect(endsSession(states['signed-out'].view, idle)).toBe(true);
  });
});
