import type { SessionGuard, SessiondAuth } from '../guard.ts';
import { replyPlan, type ProtectOptions } from '../refusal-reply.ts';
import type { Refusal } from '../sessiond-api.ts';
import { incomingOf } from './incoming.ts';

export interface FastifyLikeRequest {
  headers: Record<string, string | string[] | undefined>;
  ip: string;
  method: string;
  url: string;
  sessiond?: SessiondAuth | null;
  sessiondRefusal?: Refusal;
}
export interface FastifyLikeReply {
  code(n: number): FastifyLikeReply;
  header(name: string, value: string | string[]): FastifyLikeReply;
  send(body?: unknown): unknown;
}

/**
 * `app.addHook('preHandler', fastifyGuard(guard))` or per route `{ preHandler: fastifyGuard(guard) }`:
 * sets `request.sessiond` to `{user, session}`, or answers as `onRefused` says.
 */
export function fastifyGuard(guard: SessionGuard, opts: ProtectOptions<[FastifyLikeRequest, FastifyLikeReply]> = {}) {
  return async (req: FastifyLikeRequest, reply: FastifyLikeReply): Promise<unknown> => {
    const incoming = incomingOf((n) => req.headers[n], req.ip);
    const outcome = await guard.check(incoming);
    if (outcome.ok) {
      req.sessiond = outcome.auth;
      return;
    }
    const refusal = outcome.refusal;
    if (opts.required === false && refusal.status === 401) {
      req.sessiond = null;
      req.sessiondRefusal = refusal;
      return;
    }
    const plan = replyPlan(refusal, { redirectTo: typeof opts.onRefused === 'object' ? opts.onRefused.redirectTo : undefined, path: req.url, method: req.method, clearCookie: incoming.authorization ? null : guard.clearCookie });
    for (const [k, v] of Object.entries(plan.headers)) reply.header(k, v);
    if (typeof opts.onRefused === 'function') return opts.onRefused(refusal, req, reply);
    return reply.code(plan.status).send(plan.body ?? undefined);
  };
}
