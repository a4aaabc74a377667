import type { SessionDataWire } from '@sessiond/contract';
import type { SessionRequestInit } from './transport/held-fetch.ts';

/** This session's server-side data as read: `data` is null until first written. */
export interface SessionDataSnapshot<T> extends Omit<SessionDataWire, 'data'> {
  data: T | null;
}

/**
 * `client.sessionData`: the signed-in session's own server-side data (SPEC §13), a cart or a
 * half-done report, at most 16 KiB of JSON. After an idle or absolute timeout the same person's
 * next sign-in from this browser starts with it; after a sign-out it is gone.
 */
export interface SessionDataApi {
  /** `GET /v1/session/data`: the data and the version to write over. */
  get<T = unknown>(): Promise<SessionDataSnapshot<T>>;
  /**
   * `PUT /v1/session/data` over `ifMatch`, the version last read; resolves the new version.
   * Throws `ApiError` `version_conflict` (412, `details.version`: the current one) when another
   * write came first — read again, then write over that version — and 413 over 16 KiB.
   */
  put(data: unknown, opts: { ifMatch: number }): Promise<{ version: number }>;
}

type JsonRequest = <T>(method: string, path: string, body?: unknown, init?: SessionRequestInit) => Promise<T>;

/**
 * Over the client's held `request`: a call refused because the session ended waits for the
 * in-place sign-in and then reaches the new session. Passive: reading or saving is not the
 * person's activity (their typing already counts).
 */
export function createSessionDataApi(request: JsonRequest): SessionDataApi {
  return {
    get: <T>() => request<SessionDataSnapshot<T>>('GET', '/v1/session/data', undefined, { passive: true }),
    put: (data, { ifMatch }) => request<{ version: number }>('PUT', '/v1/session/data', { data }, { passive: true, headers: { 'if-match': `"${ifMatch}"` } }),
  };
}
