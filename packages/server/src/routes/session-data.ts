import { SessiondError } from '@sessiond/core';
import { sessionData as C } from '@sessiond/contract';
import type { ContractInstance } from '../contract/openapi.ts';
import type { AppContext } from '../context.ts';
import { callerApp } from '../http/admin-auth.ts';
import { authenticate } from '../http/auth.ts';

/** `3`, `"3"` (an entity tag, as GET's ETag gives it); anything else is refused. */
function ifMatchVersion(header: string | undefined): number {
  const m = /^\s*"?(\d{1,9})"?\s*$/.exec(header ?? '');
  if (!m) throw new SessiondError('invalid_request.if_match', { details: { field: 'If-Match' } });
  return Number(m[1]);
}

/** The signed-in session's own data (SPEC §13). */
export async function sessionDataRoutes(f: ContractInstance, app: AppContext): Promise<void> {
  const auth = authenticate(app);

  f.get('/v1/session/data', { preHandler: auth, schema: C.readData }, async (req, reply) => {
    const view = await app.sessiond.sessionData.read(req.session!);
    return reply.header('cache-control', 'no-store').header('etag', `"${view.version}"`).send(view);
  });

  f.put('/v1/session/data', { preHandler: auth, schema: C.writeData }, async (req, reply) => {
    const version = await app.sessiond.sessionData.write(req.session!, req.body.data, ifMatchVersion(req.headers['if-match']));
    return reply.header('cache-control', 'no-store').header('etag', `"${version}"`).send({ version });
  });
}

/**
 * The same data for the operator's own backend: the admin token, or an app key with
 * sessions:write for its own app's live sessions (registered inside the admin routes' guard).
 */
export async function adminSessionDataRoutes(f: ContractInstance, app: AppContext): Promise<void> {
  f.get('/v1/admin/sessions/:id/data', { config: { scope: 'sessions:write' }, schema: C.adminReadData }, async (req, reply) => {
    const s = await app.sessiond.liveSessionFor(req.params.id, callerApp(req) ?? undefined);
    const view = await app.sessiond.sessionData.read(s);
    return reply.header('cache-control', 'no-store').header('etag', `"${view.version}"`).send(view);
  });

  f.put('/v1/admin/sessions/:id/data', { config: { scope: 'sessions:write' }, schema: C.adminWriteData }, async (req, reply) => {
    const s = await app.sessiond.liveSessionFor(req.params.id, callerApp(req) ?? undefined);
    const version = await app.sessiond.sessionData.write(s, req.body.data, ifMatchVersion(req.headers['if-match']));
    return reply.header('cache-control', 'no-store').header('etag', `"${version}"`).send({ version });
  });
}
