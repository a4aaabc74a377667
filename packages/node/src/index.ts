export { createSessionGuard, type GuardOptions, type SessionGuard, type SessiondAuth, type Outcome, type IncomingCredentials } from './guard.ts';
export type { Refusal, ClientContext, SignedIn, Answer } from './sessiond-api.ts';
export type { OnRefused, ProtectOptions } from './refusal-reply.ts';
export { expressGuard, type ExpressRequest, type ExpressResponse } from './adapters/express.ts';
export { fastifyGuard, type FastifyLikeRequest, type FastifyLikeReply } from './adapters/fastify.ts';
export { honoGuard, type HonoGuardOptions, type HonoLikeContext } from './adapters/hono.ts';
export { authenticateWebRequest, type WebOutcome } from './adapters/web.ts';
