import { isEndReason, type EndReason, type ErrorBody } from './types.ts';

/** An error answer from sessiond (SPEC §5), or a network failure (`code: 'network_error'`). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly reason: EndReason | null = null,
    readonly endedAt: string | null = null,
    readonly details: Record<string, unknown> | null = null,
  ) {
    super(message);
  }

  /** The session behind the credential is over (as opposed to never having had one). */
  get sessionEnded(): boolean {
    return this.code === 'session_ended';
  }

  static async fromResponse(res: Response): Promise<ApiError> {
    const body = await readErrorBody(res);
    if (!body) return new ApiError(res.status, res.status >= 500 ? 'server_error' : 'unknown', `The server answered ${res.status}.`);
    const e = body.error;
    return new ApiError(res.status, e.code, e.message, isEndReason(e.reason) ? e.reason : null, e.endedAt ?? null, e.details ?? null);
  }

  static network(cause: unknown): ApiError {
    const err = new ApiError(0, 'network_error', 'Could not reach the server. Check your connection and try again.');
    (err as { cause?: unknown }).cause = cause;
    return err;
  }
}

/** Reads `{error:{code,message}}` from a clone, so the caller can still read the response. */
export async function readErrorBody(res: Response): Promise<ErrorBody | null> {
  try {
    const json: unknown = await res.clone().json();
    if (typeof json !== 'object' || json === null || !('error' in json)) return null;
    const error = (json as { error: unknown }).error;
    if (typeof error !== 'object' || error === null) return null;
    const { code, message } = error as Record<string, unknown>;
    if (typeof code !== 'string' || typeof message !== 'string') return null;
    return json as ErrorBody;
  } catch {
    return null;
  }
}
