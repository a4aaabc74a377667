import type { SessionGuard, SessiondAuth } from '../guard.ts';
import { replyPlan, type ProtectOptions } from '../refusal-reply.ts';
import type { Refusal } from '../sessiond-api.ts';
import { incomingOf } from './incoming.ts';

/** The parts of Express's request and response used here (structural: no dependency on express). */
export interface ExpressRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string | undefined;
  method: string;
  originalUrl?: string;
  url?: string;
  sessiond?: SessiondAuth | null;
  sessiondRefusal?: Refusal;
}
export interface ExpressResponse {
  status(code: number): ExpressResponse;
  setHeader(name: string, value: string | string[]): unknown;
  append?(name: string, value: string | string[]): unknown;
  json(body: unknown): unknown;
  end(): unknown;
  locals?: Record<string, unknown>;
}
type Next = (err?: unknown) => void;

/**
 * `app.get('/restricted', expressGuard(guard), handler)`: sets `req.sessiond`
 * (and `res.locals.sessiond`) to `{user, session}`, or answers as `onRefused` says. The client's
 * address is Express's `req.ip`, which honours the app's own `trust proxy` setting.
 */
export function expressGuard(guard: SessionGuard, opts: ProtectOptions<[ExpressRequest, ExpressResponse, Next]> = {}) {
  return (req: ExpressRequest, res: ExpressResponse, next: Next): void => {
    const incoming = incomingOf((n) => req.headers[n], req.ip);
    guard.check(incoming).then(
      (outcome) => {
        if (outcome.ok) {
          req.sessiond = outcome.auth;
          if (res.locals) res.locals.sessiond = outcome.auth;
          return next();
        }
        const refusal = outcome.refusal;
        if (opts.required === false && refusal.status === 401) {
          req.sessiond = null;
          req.sessiondRefusal = refusal;
          return next();
        }
        const plan = replyPlan(refusal, { redirectTo: typeof opts.onRefused === 'object' ? opts.onRefused.redirectTo : undefined, path: req.originalUrl ?? req.url ?? '/', method: req.method, clearCookie: incoming.authorization ? null : guard.clearCookie });
        for (const [k, v] of Object.entries(plan.headers)) {
          if (k === 'set-cookie' && res.append) res.append(k, v);
          else res.setHeader(k, v);
        }
        if (typeof opts.onRefused === 'function') return void opts.onRefused(refusal, req, res, next);
        res.status(plan.status);
        if (plan.body === null) res.end();
        else res.json(plan.body);
      },
      (e: unknown) => next(e),
    );
  };
}
