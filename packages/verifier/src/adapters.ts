import { VerifierError } from './errors.ts';
import { checkRequirements, type TokenRequirement } from './requirements.ts';
import type { Verifier, VerifiedToken } from './verifier.ts';

// Structural types: the verifier depends on no web framework.

/** Per route: rules on top of a valid token (`requireFreshness`, `requireAmr`). */
export interface RouteOptions {
  require?: readonly TokenRequirement[];
}

const bearer = (h: string | string[] | undefined) => {
  const v = Array.isArray(h) ? h[0] : h;
  return /^Bearer\s+(\S+)$/i.exec(v ?? '')?.[1] ?? null;
};
/** The SPEC §5 error body and its status. */
function refusal(e: unknown): { status: 401 | 403; body: { error: { code: string; message: string; reason?: string; details?: Record<string, unknown> } } } {
  if (!(e instanceof VerifierError)) return { status: 401, body: { error: { code: 'invalid_token', message: 'The access token is not valid.' } } };
  return { status: e.status, body: { error: { code: e.code, message: e.message, ...(e.reason ? { reason: e.reason } : {}), ...(e.details ? { details: e.details } : {}) } } };
}
const verified = async (v: Verifier, token: string, opts: RouteOptions) => checkRequirements(await v.verify(token), opts.require);

/** Fastify: `app.addHook('preHandler', fastifyPreHandler(verifier))`; sets `request.auth`. */
export function fastifyPreHandler(v: Verifier, opts: RouteOptions = {}) {
  return async (req: { headers: Record<string, string | string[] | undefined>; auth?: VerifiedToken }, reply: { code(n: number): { send(b: unknown): unknown } }) => {
    try {
      req.auth = await verified(v, bearer(req.headers.authorization) ?? '', opts);
    } catch (e) {
      const r = refusal(e);
      return reply.code(r.status).send(r.body);
    }
  };
}

/** Express: `app.use(expressMiddleware(verifier))`; sets `req.auth`. */
export function expressMiddleware(v: Verifier, opts: RouteOptions = {}) {
  return (req: { headers: Record<string, string | string[] | undefined>; auth?: VerifiedToken }, res: { status(n: number): { json(b: unknown): unknown } }, next: () => void) => {
    verified(v, bearer(req.headers.authorization) ?? '', opts).then(
      (auth) => {
        req.auth = auth;
        next();
      },
      (e: unknown) => {
        const r = refusal(e);
        res.status(r.status).json(r.body);
      },
    );
  };
}

/** Hono: `app.use(honoMiddleware(verifier))`; sets `c.get('auth')`. */
export function honoMiddleware(v: Verifier, opts: RouteOptions = {}) {
  return async (c: { req: { raw: Request }; set(k: 'auth', v: VerifiedToken): void; json(b: unknown, status: number): Response }, next: () => Promise<void>) => {
    try {
      c.set('auth', checkRequirements(await v.verifyRequest(c.req.raw.headers), opts.require));
    } catch (e) {
      const r = refusal(e);
      return c.json(r.body, r.status);
    }
    await next();
  };
}

/** Plain Web handlers: `(req) => result`. */
export async function authenticateRequest(v: Verifier, req: Request, opts: RouteOptions = {}): Promise<{ ok: true; auth: VerifiedToken } | ({ ok: false } & ReturnType<typeof refusal>)> {
  try {
    return { ok: true, auth: checkRequirements(await v.verifyRequest(req.headers), opts.require) };
  } catch (e) {
    return { ok: false, ...refusal(e) };
  }
}
