export type VerifierErrorCode = 'invalid_token' | 'session_ended' | 'reauth_required';

/** The status each code answers with, for the adapters (SPEC §5). */
export const VERIFIER_STATUS: Record<VerifierErrorCode, 401 | 403> = { invalid_token: 401, session_ended: 401, reauth_required: 403 };

/** Why a token was refused; `code` is stable, `reason` says why a session ended when known. */
export class VerifierError extends Error {
  constructor(
    readonly code: VerifierErrorCode,
    message: string,
    readonly reason?: string,
    /** For `reauth_required`: what the route asks for (`maxAgeMs`, `amr`). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'VerifierError';
  }

  get status(): 401 | 403 {
    return VERIFIER_STATUS[this.code];
  }
}
