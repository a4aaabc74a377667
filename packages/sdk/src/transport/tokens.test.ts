import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.ts';
import { refreshWithRetry } from './tokens.ts';

const answer = { session: {}, accessToken: 'a2', accessTokenExpiresAt: new Date().toISOString(), refreshToken: 'r2' };

describe('refreshWithRetry', () => {
  it('retries through a network drop with the same refresh token', async () => {
    const sent: string[] = [];
    let calls = 0;
    const fetchFn = (async (_url: string, init: RequestInit) => {
      sent.push(String(init.body));
      if (++calls < 3) throw new TypeError('Failed to fetch');
      return new Response(JSON.stringify(answer), { status: 200 });
    }) as unknown as typeof fetch;
    const got = await refreshWithRetry(fetchFn, '/v1/session/refresh', 'r1', 5_000);
    expect(got.refreshToken).toBe('r2');
    expect(new Set(sent)).toEqual(new Set([JSON.stringify({ refreshToken: 'r1', passive: true })]));
    expect(calls).toBe(3);
  });

  it('does not retry a refusal', async () => {
    let calls = 0;
    const fetchFn = (async () => {
      calls++;
      return new Response(JSON.stringify({ error: { code: 'session_ended', message: 'Signed out.', reason: 'refresh_token_reused' } }), { status: 401 });
    }) as unknown as typeof fetch;
    const err = await refreshWithRetry(fetchFn, '/x', 'r1', 5_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).reason).toBe('refresh_token_reused');
    expect(calls).toBe(1);
  });

  it('gives up after the window', async () => {
    const fetchFn = (async () => {
      throw new TypeError('offline');
    }) as unknown as typeof fetch;
    const err = await refreshWithRetry(fetchFn, '/x', 'r1', 300).catch((e: unknown) => e);
    expect((err as ApiError).code).toBe('network_error');
  });
});
