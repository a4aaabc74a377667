import type { SessionGuard, SessiondAuth } from '../guard.ts';
import { replyPlan, type ReplyPlan } from '../refusal-reply.ts';
import type { Refusal } from '../sessiond-api.ts';
import { incomingOf } from './incoming.ts';

export type WebOutcome = { ok: true; auth: SessiondAuth } | { ok: false; refusal: Refusal; response: Response };

/** Turns a reply plan into a Web Response. */
export function responseOf(plan: ReplyPlan): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(plan.headers)) for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
  if (plan.body === null) return new Response(null, { status: plan.status, headers });
  headers.set('content-type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify(plan.body), { status: plan.status, headers });
}

/**
 * Any Web `Request` (Deno, Bun, Cloudflare-style handlers, Next route handlers): `{ok, auth}` or the
 * `Response` to return. Pass the client's address: a `Request` does not carry it.
 */
export async function authenticateWebRequest(guard: SessionGuard, request: Request, opts: { clientIp?: string | null; redirectTo?: string } = {}): Promise<WebOutcome> {
  const incoming = incomingOf((n) => request.headers.get(n), opts.clientIp);
  const outcome = await guard.check(incoming);
  if (outcome.ok) return outcome;
  const url = new URL(request.url);
  const plan = replyPlan(outcome.refusal, { redirectTo: opts.redirectTo, path: url.pathname + url.search, method: request.method, clearCookie: incoming.authorization ? null : guard.clearCookie });
  return { ok: false, refusal: outcome.refusal, response: responseOf(plan) };
}
