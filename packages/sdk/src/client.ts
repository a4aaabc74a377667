import { ApiError } from './api-error.ts';
import { watchActivity } from './activity.ts';
import { createCredentials } from './credentials.ts';
import { fetchDraftKey } from './draft-key.ts';
import { Drafts } from './drafts.ts';
import { Emitter } from './emitter.ts';
import { createHeldFetch, credentialOrigins, HeldRequests } from './held-fetch.ts';
import { KeepAlive } from './keep-alive.ts';
import { openPushChannel, readPushEvent, type PushChannel } from './push-channel.ts';
import type { ServerSentEvent } from './sse-parser.ts';
import { openTabSync, type TabMessage, type TabSync } from './tab-sync.ts';
import type { SessionClient, SessionClientOptions } from './client-api.ts';
import { type Ending, type EndReason, type PublicUser, type SessionEvents, type SessionState, type SessionView, type SignedIn } from './types.ts';

export type { SessionClient, SessionClientOptions, SessionRequestInit } from './client-api.ts';

const GENERIC_ENDING = 'Your session has ended. Sign in again to continue.';
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
  const preferredIntervalMs = options.activityIntervalMs ?? 30_000;
  const refreshWindowMs = options.refreshRetryWindowMs ?? 25_000;
  const fetchFn: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const storage = options.storage !== undefined ? options.storage : defaultStorage();
  const url = (path: string) => baseUrl + path;

  const emitter = new Emitter<SessionEvents>();
  let state: SessionState = { status: 'loading', user: null, session: null, expiresAt: null, warnAt: null, warning: false, ending: null, heldRequests: 0, covered: false };
  const setState = (patch: Partial<SessionState>) => {
    state = { ...state, ...patch };
    emitter.emit('change', state);
  };

  const drafts = new Drafts({ storage });

  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let idleWindowMs = 30 * 60_000;
  let lastStatusCheckAt = 0;
  let push: PushChannel | null = null;
  let tabs: TabSync | null = null;
  let started: Promise<SessionState> | null = null;
  const cleanups: Array<() => void> = [];
  /** Whose work this page may hold: set by the first sign-in seen, cleared by a deliberate sign-out. */
  let pageUserId: string | null = null;
  /** A sign-out this tab asked for: its push event may arrive before the HTTP answer. */
  let endingOnPurpose: EndReason | null = null;

  const credentials = createCredentials({
    mode,
    storage,
    appName,
    fetch: fetchFn,
    refreshUrl: url('/v1/session/refresh'),
    refreshWindowMs,
    onRotated(tokens, session) {
      tabs?.post({ type: 'tokens', tokens });
      if (state.status === 'signed-in') applySession(session);
    },
    onRefused: (e) => endFromError(e),
  });
  const authHeaders = (passive: boolean) => credentials.headers(passive);
  const held = new HeldRequests((n) => setState({ heldRequests: n }));
  const releaseHeld = (error: ApiError | null) => held.release(error);
  const http = createHeldFetch({
    url,
    carriesCredentials: credentialOrigins(baseUrl, options.tokenOrigins ?? []),
    fetch: fetchFn,
    credentials,
    held,
    signedIn: () => state.status === 'signed-in',
    endsSession,
    ended(e) {
      endFromError(e);
      return state.status === 'ended';
    },
  });

  // ---- deadlines and the warning ------------------------------------------------------------

  function applySession(session: SessionView): void {
    const expiresAt = Date.parse(session.expiresAt);
    const warnAt = Date.parse(session.warnAt);
    idleWindowMs = Date.parse(session.idleExpiresAt) - Date.parse(session.lastActiveAt);
    // A later warnAt (activity here, in another tab, or on another device) closes the warning.
    setState({ session, expiresAt, warnAt, warning: state.warning && Date.now() >= warnAt });
    keepAlive.schedule();
  }

  function applyDeadlines(expiresAtIso: string, warnAtIso: string): void {
    if (state.status !== 'signed-in' || !state.session) return;
    applySession({ ...state.session, expiresAt: expiresAtIso, warnAt: warnAtIso });
  }

  const keepAlive = new KeepAlive(
    {
      deadlines: () =>
        state.status === 'signed-in' && state.expiresAt !== null && state.warnAt !== null
          ? { expiresAt: state.expiresAt, warnAt: state.warnAt, idleWindowMs, warning: state.warning }
          : null,
      extend: sendActivity,
      check: checkStatus,
      warn(expiresAt) {
        setState({ warning: true });
        emitter.emit('warning', { expiresAt });
      },
    },
    preferredIntervalMs,
  );

  async function sendActivity(sentAt: number): Promise<void> {
    try {
      const res = await fetchFn(url('/v1/session/extend'), { method: 'POST', headers: await authHeaders(false), cache: 'no-store' });
      if (res.ok) {
        const { session } = (await res.json()) as { session: SessionView };
        applySession(session);
        tabs?.post({ type: 'session', session, sentAt });
      } else if (res.status === 401) {
        endFromError(await ApiError.fromResponse(res));
      }
    } catch {
      // Offline: the next interaction (or the deadline check) tries again.
    }
  }

  // ---- status, endings, sign-ins ------------------------------------------------------------

  /** Passive `GET /v1/session`: never moves the idle deadline. */
  async function checkStatus(): Promise<'ok' | 'ended' | 'unreachable'> {
    lastStatusCheckAt = Date.now();
    let res: Response;
    try {
      res = await fetchFn(url('/v1/session'), { headers: await authHeaders(true), cache: 'no-store' });
    } catch {
      return 'unreachable';
    }
    if (res.ok) {
      const body = (await res.json()) as { user: PublicUser; session: SessionView };
      if (state.status === 'signed-in' && state.session?.id === body.session.id) {
        setState({ user: body.user });
        applySession(body.session);
      } else {
        handleSignedIn(body.user, body.session, 'server');
      }
      return 'ok';
    }
    if (res.status === 401) {
      endFromError(await ApiError.fromResponse(res));
      return 'ended';
    }
    // 503 store_unavailable and friends are never an ending (SPEC §5).
    return 'unreachable';
  }

  function endsSession(e: ApiError): boolean {
    if (e.code === 'session_ended') return true;
    // After the first `session_ended` the server drops the cookie, so later answers only say
    // "no credential": for a page that had a session that is still the same ending.
    return (e.code === 'unauthenticated' || e.code === 'invalid_token') && (state.status === 'signed-in' || state.status === 'ended');
  }

  function endFromError(e: ApiError): void {
    if (state.status === 'loading') {
      setState({ status: 'signed-out', ending: e.code === 'session_ended' ? { reason: e.reason, message: e.message, endedAt: e.endedAt, byThisBrowser: false } : null });
      return;
    }
    if (!endsSession(e)) return;
    const known = e.code === 'session_ended';
    handleEnded({ reason: known ? e.reason : null, message: known ? e.message : GENERIC_ENDING, endedAt: e.endedAt, byThisBrowser: e.reason === 'logged_out' }, 'local');
  }

  function stopLiveWork(): void {
    keepAlive.stop();
    push?.close();
    push = null;
  }

  function handleEnded(ending: Ending, source: 'server' | 'tab' | 'local'): void {
    const sessionId = state.session?.id ?? null;
    if (state.status !== 'signed-in') {
      if (state.status === 'loading') return setState({ status: 'signed-out', ending });
      // Already over: keep the most informative explanation, and honour a deliberate sign-out.
      if (ending.byThisBrowser && !state.ending?.byThisBrowser) endDeliberately(ending);
      else if (ending.reason && !state.ending?.reason) setState({ ending });
      return;
    }
    stopLiveWork();
    credentials.forget(sessionId);
    if (ending.byThisBrowser) endDeliberately(ending);
    else {
      void drafts.lock();
      setState({ status: 'ended', warning: false, ending, covered: true });
    }
    emitter.emit('ended', ending);
    if (source !== 'tab') tabs?.post({ type: 'ended', sessionId, ending });
  }

  /** The person signed out in this browser: their drafts here go, and nothing waits to resume. */
  function endDeliberately(ending: Ending): void {
    if (state.user) drafts.eraseAll(state.user.id);
    void drafts.lock();
    // Nothing of theirs is left on the page: whoever signs in next starts afresh.
    pageUserId = null;
    setState({ status: 'signed-out', user: null, session: null, expiresAt: null, warnAt: null, warning: false, ending, covered: false });
    releaseHeld(new ApiError(401, 'session_ended', ending.message, ending.reason, ending.endedAt));
  }

  function handleSignedIn(user: PublicUser, session: SessionView, source: 'server' | 'tab' | 'local'): SignedIn {
    const sameUser = pageUserId === null || pageUserId === user.id;
    clearTimeout(retryTimer);
    // Someone else at this page: it stays covered and their drafts stay shut, since the page
    // still holds the previous person's work (the app loads the page afresh for them).
    if (sameUser) {
      pageUserId = user.id;
      drafts.unlock(user.id, loadDraftKey(session.id));
    }
    setState({ status: 'signed-in', user, ending: null, warning: false, covered: !sameUser });
    keepAlive.sentElsewhere(Date.now()); // signing in is activity
    applySession(session);
    openPush();
    // A request held for one person must not be sent on behalf of another.
    releaseHeld(sameUser ? null : new ApiError(401, 'user_changed', 'Someone else signed in, so the held request was not sent.'));
    const signedIn: SignedIn = { user, session, sameUser };
    emitter.emit('signedIn', signedIn);
    if (source === 'local') tabs?.post({ type: 'signed-in', userId: user.id, session });
    emitter.emit('sessionsChanged', { cause: source === 'tab' ? 'tab' : 'local' });
    return signedIn;
  }

  function loadDraftKey(sessionId: string): Promise<CryptoKey> {
    return fetchDraftKey({
      url: url('/v1/session/draft-key'),
      fetch: fetchFn,
      headers: () => authHeaders(true),
      wanted: () => state.status === 'signed-in' && state.session?.id === sessionId,
      onRefused: endFromError,
    });
  }

  // ---- push channel and other tabs ----------------------------------------------------------

  function openPush(): void {
    push?.close();
    push = openPushChannel({
      url: url('/v1/session/events'),
      headers: () => authHeaders(true),
      fetch: fetchFn,
      onEvent: onPush,
      onRefused: (res) => void ApiError.fromResponse(res).then(endFromError),
    });
  }

  function onPush(e: ServerSentEvent): void {
    const push = readPushEvent(e);
    if (push?.type === 'deadlines') {
      applyDeadlines(push.expiresAt, push.warnAt);
      if (push.byAnother) emitter.emit('sessionsChanged', { cause: 'push' });
    } else if (push?.type === 'ended') {
      const { reason } = push;
      // `logged_out` needs this session's own credential, which lives in this browser.
      handleEnded({ reason, message: push.message ?? GENERIC_ENDING, endedAt: push.endedAt, byThisBrowser: reason === 'logged_out' || (reason !== null && reason === endingOnPurpose) }, 'server');
    }
  }

  function onTab(m: TabMessage): void {
    switch (m.type) {
      case 'session':
        if (state.status === 'signed-in' && state.session?.id === m.session.id) {
          keepAlive.sentElsewhere(m.sentAt);
          applySession(m.session);
        }
        break;
      case 'ended':
        if (m.sessionId === null || m.sessionId === state.session?.id) handleEnded(m.ending, 'tab');
        break;
      case 'signed-in':
        // The cookie (or token set) is shared: ask the server which session this tab now has.
        if (state.status !== 'signed-in' || state.session?.id !== m.session.id) void checkStatus();
        break;
      case 'sessions-changed':
        emitter.emit('sessionsChanged', { cause: 'tab' });
        break;
      case 'tokens':
        credentials.adopt(m.tokens);
        break;
    }
  }

  function recheckSoon(): void {
    if ((state.status === 'signed-in' || state.status === 'ended') && Date.now() - lastStatusCheckAt > RECHECK_MIN_GAP_MS) void checkStatus();
  }

  /** For sign-in and sign-up: a 401 there is about the credentials, not a session to resume. */
  async function plainJson<T>(method: string, path: string, body: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetchFn(url(path), { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), cache: 'no-store' });
    } catch (e) {
      throw ApiError.network(e);
    }
    if (!res.ok) throw await ApiError.fromResponse(res);
    return (await res.json()) as T;
  }

  // ---- public surface -----------------------------------------------------------------------

  function start(): Promise<SessionState> {
    if (started) return started;
    if (typeof window !== 'undefined' && typeof document !== 'undefined') {
      cleanups.push(watchActivity(window, (at) => keepAlive.activity(at)));
      cleanups.push(drafts.watch(document));
      const onVisible = () => document.visibilityState === 'visible' && recheckSoon();
      document.addEventListener('visibilitychange', onVisible);
      window.addEventListener('online', recheckSoon);
      cleanups.push(() => {
        document.removeEventListener('visibilitychange', onVisible);
        window.removeEventListener('online', recheckSoon);
      });
    }
    tabs = openTabSync(`sessiond:${appName}`, onTab);
    const firstCheck = async (): Promise<void> => {
      if (credentials.missing) return setState({ status: 'signed-out' });
      // Unreachable (offline, store down): keep "loading" and try again rather than sign out.
      if ((await checkStatus()) === 'unreachable' && state.status === 'loading') retryTimer = setTimeout(() => void firstCheck(), 3_000);
    };
    started = firstCheck().then(() => state);
    return started;
  }

  const client: SessionClient = {
    getState: () => state,
    subscribe: (listener) => emitter.on('change', () => listener()),
    on: (type, listener) => emitter.on(type, listener),
    start,
    stop() {
      stopLiveWork();
      clearTimeout(retryTimer);
      for (const c of cleanups.splice(0)) c();
      tabs?.close();
      tabs = null;
      started = null;
    },
    async signIn(input) {
      const body = await plainJson<{ user: PublicUser; session: SessionView; accessToken?: string; accessTokenExpiresAt?: string; refreshToken?: string }>('POST', '/v1/login', {
        email: input.email,
        password: input.password,
        rememberMe: input.rememberMe === true,
        app: input.app ?? appName,
        ...(input.totp ? { totp: input.totp } : {}),
        ...(mode === 'token' ? { mode: 'token' } : {}),
      });
      const tokens = credentials.keep(body);
      if (tokens) tabs?.post({ type: 'tokens', tokens });
      return handleSignedIn(body.user, body.session, 'local');
    },
    async signUp(input) {
      return (await plainJson<{ user: PublicUser }>('POST', '/v1/signup', input)).user;
    },
    async signOut() {
      // The server words the ending; asked alongside, so signing out waits no longer.
      const message = client.reasonMessage('logged_out');
      let res: Response;
      endingOnPurpose = 'logged_out';
      try {
        res = await fetchFn(url('/v1/logout'), { method: 'POST', headers: await authHeaders(false), cache: 'no-store' });
      } catch (e) {
        throw ApiError.network(e);
      } finally {
        endingOnPurpose = null;
      }
      if (!res.ok && res.status !== 401) throw await ApiError.fromResponse(res);
      handleEnded({ reason: 'logged_out', message: await message, endedAt: new Date().toISOString(), byThisBrowser: true }, 'local');
    },
    async staySignedIn() {
      await keepAlive.extendNow();
      return !state.warning;
    },
    fetch: http.fetch,
    request: http.request,
    async listSessions(opts = {}) {
      return (await http.request<{ sessions: SessionView[] }>('GET', '/v1/sessions', undefined, { passive: opts.passive === true })).sessions;
    },
    async revokeSession(id, opts = {}) {
      await http.request<void>('DELETE', `/v1/sessions/${encodeURIComponent(id)}${opts.forgetDevice ? '?forgetDevice=1' : ''}`);
      tabs?.post({ type: 'sessions-changed' });
      emitter.emit('sessionsChanged', { cause: 'local' });
    },
    async revokeAllSessions() {
      endingOnPurpose = 'revoked_all';
      const message = client.reasonMessage('revoked_all');
      const [{ ended }, text] = await Promise.all([http.request<{ ended: number }>('POST', '/v1/sessions/revoke-all', {}), message]).finally(() => (endingOnPurpose = null));
      handleEnded({ reason: 'revoked_all', message: text, endedAt: new Date().toISOString(), byThisBrowser: true }, 'local');
      return ended;
    },
    async reasonMessage(reason) {
      try {
        const res = await fetchFn(url(`/v1/reasons/${encodeURIComponent(reason)}?app=${encodeURIComponent(appName)}`));
        if (res.ok) return ((await res.json()) as { message: string }).message;
      } catch {
        // Fall through to the generic sentence.
      }
      return GENERIC_ENDING;
    },
    abandonHeldRequests() {
      releaseHeld(new ApiError(401, 'session_ended', state.ending?.message ?? GENERIC_ENDING, state.ending?.reason ?? null));
    },
    drafts,
  };
  if (options.autoStart !== false) void start();
  return client;
}
