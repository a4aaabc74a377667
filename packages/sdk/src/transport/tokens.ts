import { ApiError } from '../api-error.ts';
import type { SessionView } from '../types.ts';

/** Token mode credentials: a short-lived access JWT and the rotating refresh token. */
export interface TokenSet {
  accessToken: string;
  /** Epoch ms. */
  accessTokenExpiresAt: number;
  refreshToken: string;
  /** The session these tokens belong to, so a late ending of an old session cannot erase new tokens. */
  sessionId: string;
}

export interface RefreshAnswer {
  session: SessionView;
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
}

/**
 * Keeps the token set in memory and in storage, so a reload and every tab share one refresh
 * token. (A page that can run script can read storage: token mode trades that for working across
 * origins; cookie mode keeps the credential out of script's reach.)
 */
export class TokenKeeper {
  private current: TokenSet | null = null;

  constructor(
    private readonly storage: Storage | null,
    private readonly key: string,
  ) {
    this.current = this.load();
  }

  get(): TokenSet | null {
    // Storage first: another tab may have rotated the tokens since we last looked.
    return this.storage ? this.load() : this.current;
  }

  set(tokens: TokenSet | null): void {
    this.current = tokens;
    try {
      if (tokens) this.storage?.setItem(this.key, JSON.stringify(tokens));
      else this.storage?.removeItem(this.key);
    } catch {
      // Storage full or disabled: memory still works for this tab.
    }
  }

  private load(): TokenSet | null {
    try {
      const raw = this.storage?.getItem(this.key);
      if (!raw) return null;
      const t = JSON.parse(raw) as Partial<TokenSet>;
      if (typeof t.accessToken !== 'string' || typeof t.refreshToken !== 'string' || typeof t.accessTokenExpiresAt !== 'number' || typeof t.sessionId !== 'string') return null;
      return { accessToken: t.accessToken, refreshToken: t.refreshToken, accessTokenExpiresAt: t.accessTokenExpiresAt, sessionId: t.sessionId };
    } catch {
      return this.current;
    }
  }
}

export function tokenSetOf(a: { accessToken: string; accessTokenExpiresAt: string; refreshToken: string; session: { id: string } }): TokenSet {
  return { accessToken: a.accessToken, accessTokenExpiresAt: Date.parse(a.accessTokenExpiresAt), refreshToken: a.refreshToken, sessionId: a.session.id };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `POST /v1/session/refresh`, retried through network drops and 503s for up to `windowMs`.
 * Presenting the same refresh token again is safe inside the server's grace window (it answers
 * with the same successor), which is exactly the case of an answer lost to a dropped connection.
 */
export async function refreshWithRetry(
  fetchFn: typeof fetch,
  url: string,
  refreshToken: string,
  windowMs: number,
): Promise<RefreshAnswer> {
  const giveUpAt = Date.now() + windowMs;
  let delay = 250;
  for (;;) {
    let res: Response | null = null;
    let failure: ApiError;
    try {
      res = await fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sessiond-passive': '1' },
        body: JSON.stringify({ refreshToken, passive: true }),
        cache: 'no-store',
        credentials: 'omit',
      });
      if (res.ok) return (await res.json()) as RefreshAnswer;
      failure = await ApiError.fromResponse(res);
      // Only "try again later" answers are retried; a refusal is final.
      if (res.status !== 503 && res.status !== 502 && res.status !== 504) throw failure;
    } catch (e) {
      if (e instanceof ApiError) throw e;
      failure = ApiError.network(e);
    }
    if (Date.now() + delay > giveUpAt) throw failure;
    await sleep(delay);
    delay = Math.min(delay * 2, 4_000);
  }
}
