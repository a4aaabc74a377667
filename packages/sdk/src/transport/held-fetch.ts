import { ApiError } from '../api-error.ts';
import type { Credentials } from './credentials.ts';
import { newIdempotencyKey } from '../idempotency.ts';

/** `fetch` options plus `passive`: background work that must not count as activity. */
export type SessionRequestInit = RequestInit & { passive?: boolean };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Requests waiting for the person to sign in again. */
export class HeldRequests {
  private waiting: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];

  constructor(private readonly onCount: (n: number) => void) {}

  wait(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.onCount(this.waiting.length);
    });
  }

  /** `null`: send them; an error: give them up with it. */
  release(error: ApiError | null): void {
    const list = this.waiting;
    this.waiting = [];
    if (list.length > 0) this.onCount(0);
    for (const w of list) {
      if (error) w.reject(error);
      else w.resolve();
    }
  }
}

export interface HeldFetchOptions {
  url(path: string): string;
  /** May a request to this URL carry the session's credentials (see `tokenOrigins`)? */
  carriesCredentials(url: string): boolean;
  fetch: typeof fetch;
  credentials: Credentials;
  held: HeldRequests;
  /** Is the page signed in right now (so a refused access token is worth one rotation)? */
  signedIn(): boolean;
  /** Does this refusal mean the session this page had is over? */
  endsSession(error: ApiError): boolean;
  /** Records the ending; true when the person can sign in again in place (so holding makes sense). */
  ended(error: ApiError): boolean;
}

/**
 * Sessiond's own origin (`baseUrl`, else this page's) plus the origins the app names: the only ones
 * a bearer token goes to. Exact origins, compared after parsing, so `https://api.example.com.evil`
 * or a path on another host never matches.
 */
export function credentialOrigins(baseUrl: string, tokenOrigins: readonly string[]): (url: string) => boolean {
  const page = typeof location === 'undefined' ? undefined : location.href;
  const origins = new Set<string>();
  if (baseUrl || page) origins.add(new URL(baseUrl || page!, page).origin);
  for (const o of tokenOrigins) {
    const origin = new URL(o).origin;
    if (origin === 'null' || origin !== o.replace(/\/$/, '')) throw new TypeError(`tokenOrigins: "${o}" is not an origin; give scheme, host and port only, e.g. https://api.example.com`);
    origins.add(origin);
  }
  return (url) => {
    try {
      return origins.has(new URL(url, page).origin);
    } catch {
      return false;
    }
  };
}

/**
 * `fetch` that survives an ending: a request refused because the session ended is held, the
 * person signs in again in place, and the request is sent once more — with the same
 * `Idempotency-Key`, added here when the caller gave none, so a repeat cannot act twice.
 */
export function createHeldFetch(opts: HeldFetchOptions) {
  async function send(request: Request, passive: boolean): Promise<Response> {
    if (opts.carriesCredentials(request.url)) for (const [k, v] of Object.entries(await opts.credentials.headers(passive))) request.headers.set(k, v);
    try {
      return await opts.fetch(request);
    } catch (e) {
      throw ApiError.network(e);
    }
  }

  async function heldFetch(input: RequestInfo | URL, init: SessionRequestInit = {}): Promise<Response> {
    const { passive = false, ...rest } = init;
    const request = new Request(typeof input === 'string' && input.startsWith('/') ? opts.url(input) : input, rest);
    if (!SAFE_METHODS.has(request.method) && !request.headers.has('idempotency-key')) request.headers.set('idempotency-key', newIdempotencyKey());
    // Bodies are streams: keep an unread copy for the resend.
    let spare = request.clone();
    let res = await send(request, passive);
    if (res.status !== 401) return res;
    if (opts.credentials.mode === 'token' && opts.carriesCredentials(request.url) && opts.signedIn() && (await ApiError.fromResponse(res)).code === 'invalid_token' && (await opts.credentials.rotateAfterRefusal())) {
      // The access token lapsed on the way: rotate once and resend.
      const again = spare;
      spare = again.clone();
      res = await send(again, passive);
      if (res.status !== 401) return res;
    }
    const error = await ApiError.fromResponse(res);
    if (!opts.endsSession(error) || !opts.ended(error)) return res;
    await opts.held.wait();
    return send(spare, passive); // once: a second refusal goes back to the caller
  }

  /** JSON over `heldFetch`; throws `ApiError` for error answers. */
  async function request<T>(method: string, path: string, body?: unknown, init: SessionRequestInit = {}): Promise<T> {
    const headers = new Headers(init.headers);
    if (body !== undefined) headers.set('content-type', 'application/json');
    const res = await heldFetch(path, { ...init, method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw await ApiError.fromResponse(res);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  return { fetch: heldFetch, request };
}
