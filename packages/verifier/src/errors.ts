export type VerifierErrorCode = 'invalid_token' | 'session_ended';

/** Why a token was refused; `code` is stable, `reason` says why a session ended when known. */
export class VerifierError extends Error {
  constructor(
    readonly code: VerifierErrorCode,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'VerifierError';
  }
}
