export { createVerifier, type Verifier, type VerifierOptions, type VerifiedToken } from './verifier.ts';
export { VerifierError, type VerifierErrorCode } from './errors.ts';
export { requireFreshness, requireAmr, checkRequirements, type TokenRequirement } from './requirements.ts';
export { fastifyPreHandler, expressMiddleware, honoMiddleware, authenticateRequest, type RouteOptions } from './adapters.ts';
