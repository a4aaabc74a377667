import { ApiError } from './api-error.ts';
import { BROWSER_CAUSE_MESSAGES, type BrowserCause } from './browser-endings.ts';
import { watchActivity } from './activity.ts';
import { Drafts } from './drafts.ts';
import { Emitter } from './emitter.ts';
import { HiddenWarning } from './hidden-warning.ts';
import { KeepAlive } from './keep-alive.ts';
import { endsSession, GENERIC_ENDING, initialState, liveDeadlines, signedInOf, transition, type Effect, type MachineEvent } from './session-machine.ts';
import { createCredentials } from './transport/credentials.ts';
import { createHeldFetch, credentialOrigins, HeldRequests } from './transport/held-fetch.ts';
import { createPushLink, readPushEvent } from './transport/push-channel.ts';
import { ServerClock } from './transport/server-clock.ts';
import { SessionMarker } from './transport/session-marker.ts';
import { createSessionApi } from './transport/session-api.ts';
import { createSessionDataApi } from './session-data.ts';
import { createTabSync } from './transport/tab-sync.ts';
import type { SessionClient, SessionClientOptions } from './client-api.ts';
import type { SessionEvents, SessionState, SessionView } from './types.ts';

export type { SessionClient, SessionClientOptions, SessionRequestInit } from './client-api.ts';

const RECHECK_MIN_GAP_MS = 5_000;

function defaultStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // Storage blocked by browser settings.
  }
}

/**
 * The browser side of sessiond: knows the deadlines, reports real activity, warns, learns of
 * endings within a second (push channel + other tabs), and keeps work through a re-sign-in.
 * Its states and their changes live in `session-machine.ts`; this file wires that machine to the
 * transport (`transport/`), the timers (`keep-alive.ts`), the drafts and the page.
 *
 * @example
 * const client = createSessionClient();
 * client.on('ended', (e) => showSignIn(e.message));
 * const res = await client.fetch('/v1/demo/expense-reports', { method: 'POST', body });
 */
export function createSessionClient(options: SessionClientOptions = {}): SessionClient {
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
  const mode = options.mode ?? 'cookie';
  const appName = options.app ?? 'web';
  const fetchFn: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const storage = options.storage !== undefined ? options.storage : defaultStorage();
  const url = (path: string) => baseUrl + path;
  // Every answer from sessiond itself is a reading of the server's clock.
  const serverClock = new ServerClock();
  const sessiondFetch = serverClock.wrap(fetchFn);
  // Cookie mode only: in token mode the credential itself is in storage, nothing to explain.
  const marker = mode === 'cookie' ? new SessionMarker(storage, `sessiond:marker:${appName}`) : null;

  const emitter = new Emitter<SessionEvents>();
  const drafts = new Drafts({ storage });
  let machine = initialState();
  let started: Promise<SessionState> | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const cleanups: Array<() => void> = [];
  /** Title countdown and notification while the page is hidden (SPEC §14); set by `start()`. */
  let hiddenWarning: HiddenWarning | null = null;

  /** The one place state changes: the machine decides, then its effects run in order. */
  function dispatch(event: MachineEvent): Effect[] {
    const { state, effects } = transition(machine, event, Date.now(), serverClock.offsetMs);
    const changed = state.view !== machine.view;
    machine = state;
    if (changed) {
      keepMarker();
      hiddenWarning?.set(state.view.status === 'signed-in' && state.view.warning ? state.view.expiresAt : null);
      emitter.emit('change', state.view);
    }
    for (const effect of effects) run(effect);
    return effects;
  }

  function run(effect: Effect): void {
    switch (effect.type) {
      case 'emit':
        return emitter.emit(effect.name, effect.payload as never);
      case 'schedule-keep-alive':
        return keepAlive.schedule();
      case 'activity-sent':
        return keepAlive.sentElsewhere(effect.at);
      case 'stop-live-work':
        keepAlive.stop();
        return push.close();
      case 'open-push':
        return push.open();
      case 'check-status':
        return void checkStatus();
      case 'forget-credentials':
        return credentials.forget(effect.sessionId);
      case 'adopt-tokens':
        return credentials.adopt(effect.tokens);
      case 'unlock-drafts': {
        const { sessionId } = effect;
        const wanted = () => machine.view.status === 'signed-in' && machine.view.session?.id === sessionId;
        return drafts.unlock(effect.userId, api.draftKey({ wanted, onRefused: refused }));
      }
      case 'lock-drafts':
        return void drafts.lock();
      case 'erase-drafts':
        return drafts.eraseAll(effect.userId);
      case 'release-held':
        return held.release(effect.error);
      case 'tell-tabs':
        return tabs.post(effect.message);
    }
  }

  const refused = (error: ApiError) => void dispatch({ type: 'refused', error, cause: browserCause(error) });

  /** What the browser knows about a refusal that the server cannot (`browser-endings.ts`). */
  function browserCause(e: ApiError): BrowserCause | null {
    if (mode !== 'cookie') return null;
    if (e.code === 'invalid_token' && e.details?.credential === 'damaged') return 'cookie_damaged';
    if (e.code !== 'unauthenticated') return null;
    // No cookie at all reached the server, from a page that had a session, or whose marker says
    // the session still had time: the browser removed the cookie (the server clears it only with
    // an answer that says why, which the page would have seen).
    if (machine.view.status === 'signed-in') return 'cookies_removed';
    const note = machine.view.status === 'loading' ? marker?.read() : null;
    if (!note || note.until <= serverClock.now()) return null; // its time was up: probably a timeout
    // A cookie without "Keep me signed in" is meant to go when the browser closes.
    return note.kept ? 'cookies_removed' : 'browser_closed';
  }

  function keepMarker(): void {
    const { status, user, session } = machine.view;
    if (status === 'signed-in' && user && session) void marker?.write(user.id, Date.parse(session.expiresAt), session.rememberMe);
    else if (status !== 'loading') marker?.clear();
  }

  // ---- transport ----------------------------------------------------------------------------

  const credentials = createCredentials({
    mode,
    storage,
    appName,
    fetch: sessiondFetch,
    serverNow: () => serverClock.now(),
    refreshUrl: url('/v1/session/refresh'),
    refreshWindowMs: options.refreshRetryWindowMs ?? 25_000,
    onRotated(tokens, session: SessionView) {
      tabs.post({ type: 'tokens', tokens });
      dispatch({ type: 'refreshed', session });
    },
    onRefused: refused,
  });
  const api = createSessionApi({ url, fetch: sessiondFetch, credentials });
  const held = new HeldRequests((count) => dispatch({ type: 'held-changed', count }));
  const http = createHeldFetch({
    url,
    carriesCredentials: credentialOrigins(baseUrl, options.tokenOrigins ?? []),
    fetch: fetchFn,
    credentials,
    held,
    signedIn: () => machine.view.status === 'signed-in',
    endsSession: (e) => endsSession(machine.view, e),
    ended(e) {
      refused(e);
      return machine.view.status === 'ended';
    },
  });
  const push = createPushLink({
    url: url('/v1/session/events'),
    headers: () => credentials.headers(true),
    fetch: sessiondFetch,
    onEvent(e) {
      const pushed = readPushEvent(e);
      if (pushed) dispatch({ type: 'pushed', push: pushed });
    },
    onRefused: (res) => void ApiError.fromResponse(res).then(refused),
  });
  const tabs = createTabSync(`sessiond:${appName}`, (message) => dispatch({ type: 'from-tab', message }));

  const keepAlive = new KeepAlive(
    {
      deadlines: () => liveDeadlines(machine),
      async extend(sentAt) {
        // Offline: the next interaction (or the deadline check) tries again.
        const answer = await api.extend();
        if (answer.kind === 'ok') dispatch({ type: 'extended', session: answer.session, sentAt });
        else if (answer.kind === 'refused') refused(answer.error);
        return answer.kind !== 'unreachable';
      },
      check: checkStatus,
      warn: (expiresAt) => void dispatch({ type: 'warning-due', expiresAt }),
    },
    options.activityIntervalMs ?? 30_000,
  );

  async function checkStatus(): Promise<'ok' | 'ended' | 'unreachable'> {
    const answer = await api.status();
    if (answer.kind === 'ok') dispatch({ type: 'session-found', user: answer.user, session: answer.session });
    else if (answer.kind === 'refused') refused(answer.error);
    return answer.kind === 'refused' ? 'ended' : answer.kind;
  }

  function recheckSoon(): void {
    const { status } = machine.view;
    if ((status === 'signed-in' || status === 'ended') && !api.checkedWithin(RECHECK_MIN_GAP_MS)) void checkStatus();
  }

  /**
   * The network is back, or the page was restored from the back/forward cache: whatever happened
   * meanwhile is learned now (an ending with its reason), and activity typed offline is sent.
   */
  function reconnect(): void {
    const { status } = machine.view;
    if (status === 'signed-in') {
      push.open();
      void keepAlive.reconnected();
    } else if (status === 'ended') void checkStatus();
  }

  // ---- public surface -----------------------------------------------------------------------

  function start(): Promise<SessionState> {
    if (started) return started;
    if (typeof window !== 'undefined' && typeof document !== 'undefined') {
      cleanups.push(watchActivity(window, (at) => keepAlive.activity(at)));
      cleanups.push(drafts.watch(document));
      const reach = new HiddenWarning(document, () => void client.staySignedIn(), options.serviceWorkerUrl ?? null);
      hiddenWarning = reach;
      cleanups.push(() => {
        reach.dispose();
        hiddenWarning = null;
      });
      const onVisible = () => document.visibilityState === 'visible' && recheckSoon();
      const onShow = (e: PageTransitionEvent) => e.persisted && reconnect();
      document.addEventListener('visibilitychange', onVisible);
      window.addEventListener('online', reconnect);
      window.addEventListener('pageshow', onShow);
      cleanups.push(() => {
        document.removeEventListener('visibilitychange', onVisible);
        window.removeEventListener('online', reconnect);
        window.removeEventListener('pageshow', onShow);
      });
    }
    tabs.open();
    const firstCheck = async (): Promise<void> => {
      if (credentials.missing) return void dispatch({ type: 'no-credentials' });
      // Unreachable (offline, store down): keep "loading" and try again rather than sign out.
      if ((await checkStatus()) === 'unreachable' && machine.view.status === 'loading') retryTimer = setTimeout(() => machine.view.status === 'loading' && void firstCheck(), 3_000);
    };
    started = firstCheck().then(() => machine.view);
    return started;
  }

  /**
   * A cookie-mode sign-in is only real once the cookie comes back: a browser that blocks this
   * site's cookies would otherwise "sign in" and land straight back on the sign-in page. The
   * session it started is of no use to anyone, so it is ended with the token the answer carried.
   */
  async function cookieCameBack(token: string | undefined): Promise<void> {
    const check = await api.status();
    if (check.kind !== 'refused' || check.error.code !== 'unauthenticated') return; // offline: assume it did
    if (token) void api.signOut({ authorization: `Bearer ${token}` }).catch(() => {});
    throw new ApiError(0, 'cookies_blocked', BROWSER_CAUSE_MESSAGES.cookies_blocked);
  }

  const client: SessionClient = {
    getState: () => machine.view,
    subscribe: (listener) => emitter.on('change', () => listener()),
    on: (type, listener) => emitter.on(type, listener),
    start,
    stop() {
      run({ type: 'stop-live-work' });
      clearTimeout(retryTimer);
      for (const c of cleanups.splice(0)) c();
      tabs.close();
      started = null;
    },
    async signIn(input) {
      const body = await api.signIn({
        email: input.email,
        password: input.password,
        rememberMe: input.rememberMe === true,
        app: input.app ?? appName,
        ...(input.totp ? { totp: input.totp } : {}),
        ...(mode === 'token' ? { mode: 'token' } : {}),
      });
      const tokens = credentials.keep(body);
      if (tokens) tabs.post({ type: 'tokens', tokens });
      if (mode === 'cookie') await cookieCameBack(body.token);
      return signedInOf(dispatch({ type: 'signed-in', user: body.user, session: body.session }))!;
    },
    async completeSignIn(choice) {
      const body = await api.signIn({ choiceToken: choice.choiceToken, endSessionId: choice.endSessionId, ...(mode === 'token' ? { mode: 'token' } : {}) }).catch((e: unknown) => {
        // The browser cookie the question came with did not come back: blocked, like the session's.
        if (mode === 'cookie' && e instanceof ApiError && e.details?.browserCookie === 'missing') throw new ApiError(0, 'cookies_blocked', BROWSER_CAUSE_MESSAGES.cookies_blocked);
        throw e;
      });
      const tokens = credentials.keep(body);
      if (tokens) tabs.post({ type: 'tokens', tokens });
      if (mode === 'cookie') await cookieCameBack(body.token);
      return signedInOf(dispatch({ type: 'signed-in', user: body.user, session: body.session }))!;
    },
    signUp: (input) => api.signUp(input),
    async signOut() {
      // The server words the ending; asked alongside, so signing out waits no longer.
      const message = client.reasonMessage('logged_out');
      dispatch({ type: 'sign-out-asked', reason: 'logged_out' });
      const [, text] = await Promise.all([api.signOut(), message]).finally(() => dispatch({ type: 'sign-out-answered' }));
      dispatch({ type: 'ended-here', ending: { reason: 'logged_out', message: text, endedAt: new Date().toISOString(), byThisBrowser: true } });
    },
    async staySignedIn() {
      await keepAlive.extendNow();
      return !machine.view.warning;
    },
    fetch: http.fetch,
    request: http.request,
    async listSessions(opts = {}) {
      return (await http.request<{ sessions: SessionView[] }>('GET', '/v1/sessions', undefined, { passive: opts.passive === true })).sessions;
    },
    async revokeSession(id, opts = {}) {
      await http.request<void>('DELETE', `/v1/sessions/${encodeURIComponent(id)}${opts.forgetDevice ? '?forgetDevice=1' : ''}`);
      tabs.post({ type: 'sessions-changed' });
      emitter.emit('sessionsChanged', { cause: 'local' });
    },
    async revokeBrowser(browserId, opts = {}) {
      const { ended } = await http.request<{ ended: number }>('POST', '/v1/sessions/revoke-browser', { browserId, forgetDevice: opts.forgetDevice === true });
      tabs.post({ type: 'sessions-changed' });
      emitter.emit('sessionsChanged', { cause: 'local' });
      return ended;
    },
    async revokeOtherSessions() {
      const { ended } = await http.request<{ ended: number }>('POST', '/v1/sessions/revoke-others', {});
      tabs.post({ type: 'sessions-changed' });
      emitter.emit('sessionsChanged', { cause: 'local' });
      return ended;
    },
    async revokeAllSessions() {
      const message = client.reasonMessage('revoked_all');
      dispatch({ type: 'sign-out-asked', reason: 'revoked_all' });
      const [{ ended }, text] = await Promise.all([http.request<{ ended: number }>('POST', '/v1/sessions/revoke-all', {}), message]).finally(() => dispatch({ type: 'sign-out-answered' }));
      dispatch({ type: 'ended-here', ending: { reason: 'revoked_all', message: text, endedAt: new Date().toISOString(), byThisBrowser: true } });
      return ended;
    },
    async reasonMessage(reason) {
      return (await api.reasonMessage(reason, appName)) ?? GENERIC_ENDING;
    },
    abandonHeldRequests() {
      const { ending } = machine.view;
      held.release(new ApiError(401, 'session_ended', ending?.message ?? GENERIC_ENDING, ending?.reason ?? null));
    },
    drafts,
    sessionData: createSessionDataApi(http.request),
  };
  if (options.autoStart !== false) void start();
  return client;
}
