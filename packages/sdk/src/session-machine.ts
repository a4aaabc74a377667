import { ApiError } from './api-error.ts';
import { BROWSER_CAUSE_MESSAGES, type BrowserCause } from './browser-endings.ts';
import type { LiveDeadlines } from './keep-alive.ts';
import type { PushEvent } from './transport/push-channel.ts';
import type { TabMessage } from './transport/tab-sync.ts';
import type { TokenSet } from './transport/tokens.ts';
import type { Ending, EndReason, PublicUser, SessionEvents, SessionState, SessionView, SignedIn } from './types.ts';

/**
 * The client's states and what moves it between them, as one pure function: `transition(state,
 * event, now)` returns the next state and the effects to run (timers, requests, storage, events
 * for the page). No DOM, no timers, no network here — the client runs the effects.
 *
 *   from                  event                                          to
 *   any                   session-found, signed-in                       signed-in (covered if someone else)
 *   loading               refused, no-credentials, any ending            signed-out
 *   signed-in             warning-due                                    warning
 *   warning               new deadlines with a later warnAt              signed-in
 *   signed-in, warning    refused, an ending pushed or from another tab  ended (covered)
 *   signed-in, warning    ended-here, any ending by this browser         signed-out
 *   ended                 an ending by this browser                      signed-out
 *
 * A refusal may carry a browser-side `cause` (`browser-endings.ts`: a removed or damaged cookie):
 * its sentence stands in for the generic one, and a server reason arriving later replaces it.
 *
 * `warning` is `signed-in` with `view.warning` set; `covered` is a flag of `ended` (and of
 * `signed-in` when someone else signed in over another person's work).
 */

export const GENERIC_ENDING = 'Your session has ended. Sign in again to continue.';

export type StateName = 'loading' | 'signed-out' | 'signed-in' | 'warning' | 'ended';

export interface MachineState {
  /** What pages see (`getState()`, `useSession()`). */
  view: SessionState;
  /** Whose work this page may hold: set by the first sign-in seen, cleared by a deliberate sign-out. */
  pageUserId: string | null;
  /** idleExpiresAt − lastActiveAt of the live session: the idle timeout it runs under. */
  idleWindowMs: number;
  /** A sign-out this tab asked for: its push event may arrive before the HTTP answer. */
  endingOnPurpose: EndReason | null;
}

export type MachineEvent =
  /** Token mode without tokens at start: certainly signed out, no need to ask. */
  | { type: 'no-credentials' }
  /** The passive status check found a live session. */
  | { type: 'session-found'; user: PublicUser; session: SessionView }
  /** This tab signed in. */
  | { type: 'signed-in'; user: PublicUser; session: SessionView }
  /** The server acknowledged activity sent at `sentAt`. */
  | { type: 'extended'; session: SessionView; sentAt: number }
  /** Token mode: this tab rotated the tokens. */
  | { type: 'refreshed'; session: SessionView }
  | { type: 'pushed'; push: PushEvent }
  | { type: 'from-tab'; message: TabMessage }
  | { type: 'warning-due'; expiresAt: number }
  /** The server refused this page's credential; `cause` when the browser knows more (`browser-endings.ts`). */
  | { type: 'refused'; error: ApiError; cause?: BrowserCause | null }
  /** This tab is ending its session(s) on purpose; `answered` once the server replied. */
  | { type: 'sign-out-asked'; reason: EndReason }
  | { type: 'sign-out-answered' }
  /** The server confirmed a sign-out asked for here. */
  | { type: 'ended-here'; ending: Ending }
  | { type: 'held-changed'; count: number };

type Emitted = { [K in Exclude<keyof SessionEvents, 'change'>]: { type: 'emit'; name: K; payload: SessionEvents[K] } }[Exclude<keyof SessionEvents, 'change'>];

export type Effect =
  | Emitted
  /** Re-arm the warning and expiry timers for the new deadlines. */
  | { type: 'schedule-keep-alive' }
  /** Activity reached the server at `at` (from here or another tab). */
  | { type: 'activity-sent'; at: number }
  /** Stop the timers and the push channel. */
  | { type: 'stop-live-work' }
  | { type: 'open-push' }
  | { type: 'check-status' }
  | { type: 'forget-credentials'; sessionId: string | null }
  | { type: 'adopt-tokens'; tokens: TokenSet | null }
  /** Fetch this person's draft key for `sessionId` and open their drafts with it. */
  | { type: 'unlock-drafts'; userId: string; sessionId: string }
  | { type: 'lock-drafts' }
  | { type: 'erase-drafts'; userId: string }
  /** Send the held requests (`null`) or give them up with `error`. */
  | { type: 'release-held'; error: ApiError | null }
  | { type: 'tell-tabs'; message: TabMessage };

export interface Transition {
  state: MachineState;
  effects: Effect[];
}

export function initialState(): MachineState {
  return {
    view: { status: 'loading', user: null, session: null, expiresAt: null, warnAt: null, warning: false, ending: null, heldRequests: 0, covered: false },
    pageUserId: null,
    idleWindowMs: 30 * 60_000,
    endingOnPurpose: null,
  };
}

export function stateName(view: SessionState): StateName {
  return view.status === 'signed-in' && view.warning ? 'warning' : view.status;
}

/** The live session's deadlines for the keep-alive timers, or null when there is none. */
export function liveDeadlines(m: MachineState): LiveDeadlines | null {
  const { status, expiresAt, warnAt, warning } = m.view;
  return status === 'signed-in' && expiresAt !== null && warnAt !== null ? { expiresAt, warnAt, idleWindowMs: m.idleWindowMs, warning } : null;
}

/** Does this refusal mean the session this page had is over? */
export function endsSession(view: SessionState, e: ApiError): boolean {
  if (e.code === 'session_ended') return true;
  // After the first `session_ended` the server drops the cookie, so later answers only say
  // "no credential": for a page that had a session that is still the same ending.
  return (e.code === 'unauthenticated' || e.code === 'invalid_token') && (view.status === 'signed-in' || view.status === 'ended');
}

/** The sign-in a `signed-in` or `session-found` transition announced. */
export function signedInOf(effects: Effect[]): SignedIn | null {
  for (const e of effects) if (e.type === 'emit' && e.name === 'signedIn') return e.payload;
  return null;
}

/**
 * `now` is this device's time; `offsetMs` is server − device (`transport/server-clock.ts`): the
 * server's deadlines are turned into device times once, here, so timers and countdowns that compare
 * them with `Date.now()` follow the server's clock even when the device's is off.
 */
export function transition(m: MachineState, event: MachineEvent, now: number, offsetMs = 0): Transition {
  const t: Time = { now, offsetMs };
  const v = m.view;
  const signedInTo = (id: string) => v.status === 'signed-in' && v.session?.id === id;
  switch (event.type) {
    case 'no-credentials':
      return only({ ...m, view: { ...v, status: 'signed-out' } });
    case 'session-found':
      if (signedInTo(event.session.id)) return withSession({ ...m, view: { ...v, user: event.user } }, event.session, t);
      return signIn(m, event.user, event.session, 'server', t);
    case 'signed-in':
      return signIn(m, event.user, event.session, 'local', t);
    case 'extended':
      if (v.status !== 'signed-in') return only(m);
      return then(withSession(m, event.session, t), tell({ type: 'session', session: event.session, sentAt: event.sentAt }));
    case 'refreshed':
      return v.status === 'signed-in' ? withSession(m, event.session, t) : only(m);
    case 'pushed':
      return pushed(m, event.push, t);
    case 'from-tab':
      return fromTab(m, event.message, t);
    case 'warning-due':
      if (v.status !== 'signed-in' || v.warning) return only(m);
      return { state: { ...m, view: { ...v, warning: true } }, effects: [emit('warning', { expiresAt: event.expiresAt })] };
    case 'refused':
      return refused(m, event.error, event.cause ?? null);
    case 'sign-out-asked':
      return only({ ...m, endingOnPurpose: event.reason });
    case 'sign-out-answered':
      return only({ ...m, endingOnPurpose: null });
    case 'ended-here':
      return end(m, event.ending, 'local');
    case 'held-changed':
      return only({ ...m, view: { ...v, heldRequests: event.count } });
  }
}

function pushed(m: MachineState, push: PushEvent, time: Time): Transition {
  if (push.type === 'ended') {
    const { reason } = push;
    // `logged_out` needs this session's own credential, which lives in this browser.
    return end(m, { reason, message: push.message ?? GENERIC_ENDING, endedAt: push.endedAt, byThisBrowser: reason === 'logged_out' || (reason !== null && reason === m.endingOnPurpose) }, 'server');
  }
  const { status, session } = m.view;
  const t = status === 'signed-in' && session ? withSession(m, { ...session, expiresAt: push.expiresAt, warnAt: push.warnAt }, time) : only(m);
  return push.byAnother ? then(t, emit('sessionsChanged', { cause: 'push' })) : t;
}

function fromTab(m: MachineState, message: TabMessage, t: Time): Transition {
  const v = m.view;
  switch (message.type) {
    case 'session':
      if (v.status !== 'signed-in' || v.session?.id !== message.session.id) return only(m);
      return first({ type: 'activity-sent', at: message.sentAt }, withSession(m, message.session, t));
    case 'ended':
      return message.sessionId === null || message.sessionId === v.session?.id ? end(m, message.ending, 'tab') : only(m);
    case 'signed-in':
      // The cookie (or token set) is shared: ask the server which session this tab now has.
      return v.status === 'signed-in' && v.session?.id === message.session.id ? only(m) : { state: m, effects: [{ type: 'check-status' }] };
    case 'sessions-changed':
      return { state: m, effects: [emit('sessionsChanged', { cause: 'tab' })] };
    case 'tokens':
      return { state: m, effects: [{ type: 'adopt-tokens', tokens: message.tokens }] };
  }
}

/** New deadlines: a later warnAt (activity here, in another tab, or on another device) closes the warning. */
function withSession(m: MachineState, session: SessionView, { now, offsetMs }: Time): Transition {
  const expiresAt = Date.parse(session.expiresAt) - offsetMs;
  const warnAt = Date.parse(session.warnAt) - offsetMs;
  return {
    state: { ...m, idleWindowMs: Date.parse(session.idleExpiresAt) - Date.parse(session.lastActiveAt), view: { ...m.view, session, expiresAt, warnAt, warning: m.view.warning && now >= warnAt } },
    effects: [{ type: 'schedule-keep-alive' }],
  };
}

function signIn(m: MachineState, user: PublicUser, session: SessionView, source: 'server' | 'local', t: Time): Transition {
  const sameUser = m.pageUserId === null || m.pageUserId === user.id;
  // Someone else at this page: it stays covered and their drafts stay shut, since the page
  // still holds the previous person's work (the app loads the page afresh for them).
  const signedIn = withSession({ ...m, pageUserId: sameUser ? user.id : m.pageUserId, view: { ...m.view, status: 'signed-in', user, ending: null, warning: false, covered: !sameUser } }, session, t);
  const effects: Effect[] = [];
  if (sameUser) effects.push({ type: 'unlock-drafts', userId: user.id, sessionId: session.id });
  effects.push({ type: 'activity-sent', at: t.now }, ...signedIn.effects, { type: 'open-push' }); // signing in is activity
  // A request held for one person must not be sent on behalf of another.
  effects.push({ type: 'release-held', error: sameUser ? null : new ApiError(401, 'user_changed', 'Someone else signed in, so the held request was not sent.') });
  effects.push(emit('signedIn', { user, session, sameUser }));
  if (source === 'local') effects.push(tell({ type: 'signed-in', userId: user.id, session }));
  effects.push(emit('sessionsChanged', { cause: 'local' }));
  return { state: signedIn.state, effects };
}

function refused(m: MachineState, e: ApiError, cause: BrowserCause | null): Transition {
  const known = e.code === 'session_ended';
  const browserEnding = (): Ending | null => (cause ? { reason: null, message: BROWSER_CAUSE_MESSAGES[cause], endedAt: null, byThisBrowser: false, cause } : null);
  if (m.view.status === 'loading') return only({ ...m, view: { ...m.view, status: 'signed-out', ending: known ? { reason: e.reason, message: e.message, endedAt: e.endedAt, byThisBrowser: false } : browserEnding() } });
  if (!endsSession(m.view, e)) return only(m);
  return end(m, known ? { reason: e.reason, message: e.message, endedAt: e.endedAt, byThisBrowser: e.reason === 'logged_out' } : (browserEnding() ?? { reason: null, message: GENERIC_ENDING, endedAt: e.endedAt, byThisBrowser: false }), 'local');
}

function end(m: MachineState, ending: Ending, source: 'server' | 'tab' | 'local'): Transition {
  const v = m.view;
  if (v.status !== 'signed-in') {
    if (v.status === 'loading') return only({ ...m, view: { ...v, status: 'signed-out', ending } });
    // Already over: keep the most informative explanation, and honour a deliberate sign-out.
    if (ending.byThisBrowser && !v.ending?.byThisBrowser) return endDeliberately(m, ending);
    if (ending.reason && !v.ending?.reason) return only({ ...m, view: { ...v, ending } });
    if (ending.cause && !v.ending?.reason && !v.ending?.cause) return only({ ...m, view: { ...v, ending } });
    return only(m);
  }
  const sessionId = v.session?.id ?? null;
  const over: Transition = ending.byThisBrowser
    ? endDeliberately(m, ending)
    : { state: { ...m, view: { ...v, status: 'ended', warning: false, ending, covered: true } }, effects: [{ type: 'lock-drafts' }] };
  const effects: Effect[] = [{ type: 'stop-live-work' }, { type: 'forget-credentials', sessionId }, ...over.effects, emit('ended', ending)];
  if (source !== 'tab') effects.push(tell({ type: 'ended', sessionId, ending }));
  return { state: over.state, effects };
}

/** The person signed out in this browser: their drafts here go, and nothing waits to resume. */
function endDeliberately(m: MachineState, ending: Ending): Transition {
  const v = m.view;
  const effects: Effect[] = v.user ? [{ type: 'erase-drafts', userId: v.user.id }] : [];
  effects.push({ type: 'lock-drafts' }, { type: 'release-held', error: new ApiError(401, 'session_ended', ending.message, ending.reason, ending.endedAt) });
  // Nothing of theirs is left on the page: whoever signs in next starts afresh.
  return { state: { ...m, pageUserId: null, view: { ...v, status: 'signed-out', user: null, session: null, expiresAt: null, warnAt: null, warning: false, ending, covered: false } }, effects };
}

interface Time {
  now: number;
  offsetMs: number;
}

const only = (state: MachineState): Transition => ({ state, effects: [] });
const then = (t: Transition, effect: Effect): Transition => ({ state: t.state, effects: [...t.effects, effect] });
const first = (effect: Effect, t: Transition): Transition => ({ state: t.state, effects: [effect, ...t.effects] });
const tell = (message: TabMessage): Effect => ({ type: 'tell-tabs', message });
const emit = <K extends Emitted['name']>(name: K, payload: SessionEvents[K]): Effect => ({ type: 'emit', name, payload }) as Effect;
