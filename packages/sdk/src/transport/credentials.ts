import { ApiError } from '../api-error.ts';
import { createRefreshLock } from './refresh-lock.ts';
import { refreshWithRetry, TokenKeeper, tokenSetOf, type RefreshAnswer, type TokenSet } from './tokens.ts';
import type { SessionView } from '../types.ts';

/** Rotate a little before the access token lapses, so a request never leaves with a dead one. */
const ACCESS_TOKEN_MARGIN_MS = 15_000;

export interface CredentialOptions {
  mode: 'cookie' | 'token';
  storage: Storage | null;
  appName: string;
  fetch: typeof fetch;
  refreshUrl: string;
  refreshWindowMs: number;
  /** The server's time (`server-clock.ts`): access tokens expire by its clock, not the device's. */
  serverNow?: () => number;
  /** A rotation happened here: tell the other tabs. */
  onRotated(tokens: TokenSet, session: SessionView): void;
  /** The server refused the refresh token: the session is over. */
  onRefused(error: ApiError): void;
}

/** What a request carries: nothing in cookie mode (the browser sends the cookie), a bearer token in token mode. */
export interface Credentials {
  readonly mode: 'cookie' | 'token';
  /** The passive marker, and in token mode a fresh access token. */
  headers(passive: boolean): Promise<Record<string, string>>;
  /** Token mode: the access token was refused on the way; rotate once. True when there is a new one. */
  rotateAfterRefusal(): Promise<boolean>;
  /** Token mode: the tokens a sign-in answered with. */
  keep(answer: { accessToken?: string; accessTokenExpiresAt?: string; refreshToken?: string; session: SessionView }): TokenSet | null;
  /** Forgets the tokens of an ended session, never those of a newer one another tab started. */
  forget(sessionId: string | null): void;
  /** Token mode without tokens: certainly signed out, no need to ask the server. */
  readonly missing: boolean;
  /** Another tab's rotation, for keepers without shared storage. */
  adopt(tokens: TokenSet | null): void;
}

export function createCredentials(opts: CredentialOptions): Credentials {
  const tokens = opts.mode === 'token' ? new TokenKeeper(opts.storage, `sessiond:tokens:${opts.appName}`) : null;
  const withRefreshLock = createRefreshLock(`sessiond:refresh:${opts.appName}`);
  const serverNow = opts.serverNow ?? (() => Date.now());

  /** One rotation at a time across tabs; a tab that waited uses the tokens the other one got. */
  function rotate(seen: TokenSet): Promise<TokenSet | null> {
    return withRefreshLock(async () => {
      const now = tokens?.get();
      if (!now) return null;
      if (now.refreshToken !== seen.refreshToken && now.accessTokenExpiresAt - serverNow() > ACCESS_TOKEN_MARGIN_MS) return now;
      let answer: RefreshAnswer;
      try {
        answer = await refreshWithRetry(opts.fetch, opts.refreshUrl, now.refreshToken, opts.refreshWindowMs);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
          opts.onRefused(e);
          return null;
        }
        throw e; // Still offline after the retry window: this request fails, the session does not.
      }
      const next = tokenSetOf(answer);
      tokens?.set(next);
      opts.onRotated(next, answer.session);
      return next;
    });
  }

  return {
    mode: opts.mode,
    async headers(passive) {
      const h: Record<string, string> = {};
      if (passive) h['x-sessiond-passive'] = '1';
      const t = tokens?.get();
      if (t) {
        const fresh = t.accessTokenExpiresAt - serverNow() > ACCESS_TOKEN_MARGIN_MS ? t : await rotate(t);
        if (fresh) h.authorization = `Bearer ${fresh.accessToken}`;
      }
      return h;
    },
    async rotateAfterRefusal() {
      const t = tokens?.get();
      return t ? (await rotate(t).catch(() => null)) !== null : false;
    },
    keep(answer) {
      if (!tokens || !answer.accessToken || !answer.accessTokenExpiresAt || !answer.refreshToken) return null;
      const set = tokenSetOf({ accessToken: answer.accessToken, accessTokenExpiresAt: answer.accessTokenExpiresAt, refreshToken: answer.refreshToken, session: answer.session });
      tokens.set(set);
      return set;
    },
    forget(sessionId) {
      if (tokens && tokens.get()?.sessionId === sessionId) tokens.set(null);
    },
    get missing() {
      return tokens !== null && tokens.get() === null;
    },
    adopt(next) {
      if (!opts.storage) tokens?.set(next);
    },
  };
}
