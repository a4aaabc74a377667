import type { SessionGuard, SessiondAuth } from '../guard.ts';
import type { Refusal } from '../sessiond-api.ts';
import { authenticateWebRequest } from './web.ts';

/** The parts of Hono's context used here (structural: no dependency on hono). */
export interface HonoLikeContext {
  req: { raw: Request };
  env?: unknown;
  set(key: 'sessiond', value: SessiondAuth): void;
}

export interface HonoGuardOptions {
  /** Browsers are sent here with `?reason=…&next=…` when their session is gone. */
  redirectTo?: string;
  /** Your own answer to a refusal (a page showing `refusal.body.error.message`). */
  onRefused?: (refusal: Refusal, c: HonoLikeContext) => Response | Promise<Response>;
  /**
   * The client's address; Hono leaves it to the runtime. Default: the Node adapter's socket
   * (`c.env.incoming`), else none (sessiond then sees this server's address).
   */
  clientIp?: (c: HonoLikeContext) => string | null | undefined;
}

const nodeSocketIp = (c: HonoLikeContext) => (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ?? null;

/** `app.use('/account/*', honoGuard(guard))`; the handler reads `c.get('sessiond')`. */
export function honoGuard(guard: SessionGuard, opts: HonoGuardOptions = {}) {
  return async (c: HonoLikeContext, next: () => Promise<void>): Promise<Response | void> => {
    const outcome = await authenticateWebRequest(guard, c.req.raw, { clientIp: (opts.clientIp ?? nodeSocketIp)(c), redirectTo: opts.redirectTo });
    if (!outcome.ok) return opts.onRefused ? opts.onRefused(outcome.refusal, c) : outcome.response;
    c.set('sessiond', outcome.auth);
    await next();
  };
}
