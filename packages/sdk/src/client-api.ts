import type { Drafts } from './drafts.ts';
import type { SessionDataApi } from './session-data.ts';
import type { SessionRequestInit } from './transport/held-fetch.ts';
import type { EndReason, PublicUser, SessionEvents, SessionState, SessionView, SignedIn, SignInInput } from './types.ts';

export interface SessionClientOptions {
  /** Origin (and path prefix) of the sessiond server; '' = this page's origin. */
  baseUrl?: string;
  /** 'cookie' (default): an HttpOnly cookie. 'token': access JWT + rotating refresh token. */
  mode?: 'cookie' | 'token';
  /** The `app` sessions are started for (default 'web'). */
  app?: string;
  /** Send activity at most this often (default 30 s; shorter for short idle timeouts). */
  activityIntervalMs?: number;
  /** Keep retrying a refresh through network drops this long; keep it under SESSIOND_REFRESH_GRACE. */
  refreshRetryWindowMs?: number;
  /** Start at once (default true); otherwise call `start()`. */
  autoStart?: boolean;
  /**
   * Origins besides sessiond's own (`baseUrl`, else this page's) whose requests through `fetch`
   * carry the session's credentials, e.g. `['https://api.example.com']`. Exact origins; a request
   * anywhere else goes out without them.
   */
  tokenOrigins?: string[];
  /**
   * Where you serve the SDK's service worker, e.g. '/sessiond-sw.js' (copy
   * `node_modules/@sessiond/sdk/service-worker/sessiond-sw.js` to your public files). It shows the
   * warning's system notification where a page may not construct one (Chrome on Android) and turns
   * its click into "Stay signed in". Registered only when such a notification is due, with a scope
   * of its own below its directory (`/sessiond-notifications/` here), so your app's own service
   * worker keeps its scope. Unset: no service worker.
   */
  serviceWorkerUrl?: string;
  /** Where drafts (and tokens in token mode) are kept; default localStorage. */
  storage?: Storage | null;
  fetch?: typeof fetch;
}

export type { SessionRequestInit };

export interface SessionClient {
  getState(): SessionState;
  /** For `useSyncExternalStore`: called on every state change. */
  subscribe(listener: () => void): () => void;
  on<K extends keyof SessionEvents>(type: K, listener: (payload: SessionEvents[K]) => void): () => void;
  start(): Promise<SessionState>;
  stop(): void;
  signIn(input: SignInInput): Promise<SignedIn>;
  /**
   * Completes a sign-in refused at the device limit with a choice (409 concurrent_limit,
   * `details.choiceToken`): signs out the chosen session and signs in here, no password again.
   */
  completeSignIn(choice: { choiceToken: string; endSessionId: string }): Promise<SignedIn>;
  signUp(input: { email: string; password: string }): Promise<PublicUser>;
  /** Ends this session on purpose: drafts of this person in this browser are erased. */
  signOut(): Promise<void>;
  /** "Stay signed in": activity now. Resolves false when the server could not be reached. */
  staySignedIn(): Promise<boolean>;
  /**
   * `fetch` for your API. A request refused because the session ended is held, the person signs
   * in again in place, and it is sent once more with the same `Idempotency-Key`.
   */
  fetch(input: RequestInfo | URL, init?: SessionRequestInit): Promise<Response>;
  /** JSON over `fetch`; throws `ApiError` for error answers. */
  request<T>(method: string, path: string, body?: unknown, init?: SessionRequestInit): Promise<T>;
  listSessions(opts?: { passive?: boolean }): Promise<SessionView[]>;
  revokeSession(id: string, opts?: { forgetDevice?: boolean }): Promise<void>;
  /** Ends every session of one of this person's other browsers (`SessionView.browserId`); resolves how many. */
  revokeBrowser(browserId: string, opts?: { forgetDevice?: boolean }): Promise<number>;
  /** Ends every session of this person but this one; resolves how many. */
  revokeOtherSessions(): Promise<number>;
  /** Ends every session of this person, this one included. */
  revokeAllSessions(): Promise<number>;
  /** The server's message for a reason, with its configured numbers. */
  reasonMessage(reason: EndReason): Promise<string>;
  /** Gives up on held requests (the person chose to leave instead of signing in). */
  abandonHeldRequests(): void;
  readonly drafts: Drafts;
  /** This session's server-side data (`GET`/`PUT /v1/session/data`, `If-Match`), carried through a timeout. */
  readonly sessionData: SessionDataApi;
}
