import { VerifierError } from './errors.ts';
import type { Verifier, VerifiedToken } from './verifier.ts';

// Structural types: the verifier depends on no web framework.

const bearer = (h: string | string[] | undefined) => {
  const v = Array.isArray(h) ? h[0] : h;
  return /^Bearer\s+(\S+)$/i.exec(v ?? '')?.[1] ?? null;
};
const refusal = (e: unknown) => ({
  error: e instanceof VerifierError ? { code: e.code, message: e.message, ...(e.reason ? { reason: e.reason } : {}) } : { code: 'invalid_token', message: 'The access token is not valid.' },
});

/** Fastify: `app.addHook('preHandler', fastifyPreHandler(verifier))`; sets `request.auth`. */
export function fastifyPreHandler(v: Verifier) {
  return async (req: { headers: Record<string, string | string[] | undefined>; auth?: VerifiedToken }, reply: { code(n: number): { send(b: unknown): unknown } }) => {
    try {
      req.auth = await v.verify(bearer(req.headers.authorization) ?? '');
    } catch (e) {
      return reply.code(401).send(refusal(e));
    }
  };
}

/** Express: `app.use(expressMiddleware(verifier))`; sets `req.auth`. */
export function expressMiddleware(v: Verifier) {
  return (req: { headers: Record<string, string | string[] | undefined>; auth?: VerifiedToken }, res: { status(n: number): { json(b: unknown): unknown } }, next: () => void) => {
    v.verify(bearer(req.headers.authorization) ?? '').then(
      (auth) => {
        req.auth = auth;
        next();
      },
      (e: unknown) => res.status(401).json(refusal(e)),
    );
  };
}

/** Hono: `app.use(honoMiddleware(verifier))`; sets `c.get('auth')`. */
export function honoMiddleware(v: Verifier) {
  return async (c: { req: { raw: Request }; set(k: 'auth', v: VerifiedToken): void; json(b: unknown, status: number): Response }, next: () => Promise<void>) => {
    try {
      c.set('auth', await v.verifyRequest(c.req.raw.headers));
    } catch (e) {
      return c.json(refusal(e), 401);
    }
    await next();
  };
}

/** Plain Web handlers: `(req) => result`. */
export async function authenticateRequest(v: Verifier, req: Request): Promise<{ ok: true; auth: VerifiedToken } | { ok: false; status: 401; body: ReturnType<typeof refusal> }> {
  try {
    return { ok: true, auth: await v.verifyRequest(req.headers) };
  } catch (e) {
    return { ok: false, status: 401, body: refusal(e) };
  }
}
