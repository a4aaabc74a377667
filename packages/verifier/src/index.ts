export { createVerifier, type Verifier, type VerifierOptions, type VerifiedToken } from './verifier.ts';
export { VerifierError, type VerifierErrorCode } from './errors.ts';
export { fastifyPreHandler, expressMiddleware, honoMiddleware, authenticateRequest } from './adapters.ts';
