import { ApiError } from '../api-error.ts';
import type { EndReason, PublicUser, SessionView } from '../types.ts';
import type { Credentials } from './credentials.ts';
import { fetchDraftKey } from './draft-key.ts';

/** What a call about this page's own session came to. */
export type SessionAnswer<T> = ({ kind: 'ok' } & T) | { kind: 'refused'; error: ApiError } | { kind: 'unreachable' };

export interface SignInAnswer {
  user: PublicUser;
  session: SessionView;
  accessToken?: string;
  accessTokenExpiresAt?: string;
  refreshToken?: string;
  /** Cookie mode: the same credential as the cookie (used only to end a session whose cookie was refused). */
  token?: string;
}

export interface SessionApiOptions {
  url(path: string): string;
  fetch: typeof fetch;
  credentials: Credentials;
}

/** sessiond's own endpoints for the session of this page (apps' calls go through `held-fetch.ts`). */
export function createSessionApi({ url, fetch: fetchFn, credentials }: SessionApiOptions) {
  let lastStatusCheckAt = 0;

  async function call<T>(path: string, init: RequestInit, passive: boolean): Promise<SessionAnswer<T>> {
    try {
      const res = await fetchFn(url(path), { ...init, headers: await credentials.headers(passive), cache: 'no-store' });
      if (res.ok) return { kind: 'ok', ...((await res.json()) as T) };
      if (res.status === 401) return { kind: 'refused', error: await ApiError.fromResponse(res) };
    } catch {
      // Offline: the caller tries again later.
    }
    // 503 store_unavailable and friends are never an ending (SPEC §5).
    return { kind: 'unreachable' };
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

  return {
    /** Passive `GET /v1/session`: never moves the idle deadline. */
    status(): Promise<SessionAnswer<{ user: PublicUser; session: SessionView }>> {
      lastStatusCheckAt = Date.now();
      return call('/v1/session', {}, true);
    },
    /** A status check went out less than `ms` ago. */
    checkedWithin: (ms: number) => Date.now() - lastStatusCheckAt <= ms,
    /** Activity: `POST /v1/session/extend`. */
    extend: () => call<{ session: SessionView }>('/v1/session/extend', { method: 'POST' }, false),
    signIn: (body: Record<string, unknown>) => plainJson<SignInAnswer>('POST', '/v1/login', body),
    signUp: async (body: { email: string; password: string }) => (await plainJson<{ user: PublicUser }>('POST', '/v1/signup', body)).user,
    /** `POST /v1/logout`; a 401 means the session was over already, which is as good. */
    async signOut(headers?: Record<string, string>): Promise<void> {
      let res: Response;
      try {
        res = await fetchFn(url('/v1/logout'), { method: 'POST', headers: headers ?? (await credentials.headers(false)), cache: 'no-store' });
      } catch (e) {
        throw ApiError.network(e);
      }
      if (!res.ok && res.status !== 401) throw await ApiError.fromResponse(res);
    },
    /** The server's message for a reason, with its configured numbers; null when out of reach. */
    async reasonMessage(reason: EndReason, app: string): Promise<string | null> {
      try {
        const res = await fetchFn(url(`/v1/reasons/${encodeURIComponent(reason)}?app=${encodeURIComponent(app)}`));
        if (res.ok) return ((await res.json()) as { message: string }).message;
      } catch {
        // Fall through to the caller's generic sentence.
      }
      return null;
    },
    draftKey: (opts: { wanted(): boolean; onRefused(error: ApiError): void }) =>
      fetchDraftKey({ url: url('/v1/session/draft-key'), fetch: fetchFn, headers: () => credentials.headers(true), ...opts }),
  };
}

export type SessionApi = ReturnType<typeof createSessionApi>;
