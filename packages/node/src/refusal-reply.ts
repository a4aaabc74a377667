import type { Refusal } from './sessiond-api.ts';

/** What a protected route does with a request it refuses. */
export type OnRefused<Args extends unknown[]> =
  /** The SPEC §5 error body with its status (401 `session_ended` with `reason`, `endedAt` and the message). */
  | 'json'
  /** Browsers are sent to the app's sign-in page with `?reason=…&next=…`; outages still answer 503. */
  | { redirectTo: string }
  /** Your own page: the refusal carries the status, code, reason and the message to show. */
  | ((refusal: Refusal, ...args: Args) => unknown);

export interface ProtectOptions<Args extends unknown[]> {
  onRefused?: OnRefused<Args>;
  /**
   * `false`: a request without a valid session goes on with no session (pages for everyone); an
   * outage of sessiond still answers 503 rather than treating the person as signed out.
   */
  required?: boolean;
}

/** A framework-free answer: each adapter writes it its own way. */
export interface ReplyPlan {
  status: number;
  headers: Record<string, string | string[]>;
  body: unknown;
}

/**
 * The answer to a refusal. A dead credential's cookie is removed (only that cookie, never
 * Clear-Site-Data), so the browser stops presenting it.
 */
export function replyPlan(refusal: Refusal, opts: { redirectTo?: string; path: string; method: string; clearCookie: string | null }): ReplyPlan {
  const headers: Record<string, string | string[]> = { 'cache-control': 'no-store' };
  const dead = refusal.body.error.code === 'session_ended' || refusal.body.error.code === 'invalid_token';
  if (dead && opts.clearCookie) headers['set-cookie'] = opts.clearCookie;
  if (refusal.retryAfter) headers['retry-after'] = String(refusal.retryAfter);
  if (opts.redirectTo && refusal.status === 401) {
    const reason = refusal.body.error.reason;
    const sep = opts.redirectTo.includes('?') ? '&' : '?';
    const query = new URLSearchParams({ ...(reason ? { reason } : {}), next: opts.path });
    headers.location = `${opts.redirectTo}${sep}${query}`;
    return { status: opts.method === 'GET' || opts.method === 'HEAD' ? 302 : 303, headers, body: null };
  }
  return { status: refusal.status, headers, body: refusal.body };
}
