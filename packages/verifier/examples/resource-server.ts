/**
 * A resource server that trusts sessiond's access tokens of one app without calling it per request.
 * Its key needs only `events:read` (sessiond apps keys create web --label orders --scopes events:read):
 *   SESSIOND_URL=http://127.0.0.1:4000 SESSIOND_APP_KEY=sak_… SESSIOND_APP=web PORT=5000 node --conditions=sessiond:source --import tsx packages/verifier/examples/resource-server.ts
 */
import { createServer } from 'node:http';
import { authenticateRequest, createVerifier } from '../src/index.ts';

const base = process.env.SESSIOND_URL ?? 'http://127.0.0.1:4000';
const verifier = createVerifier({
  // sessiond's tokens say iss = its SESSIOND_PUBLIC_URL, else the URL it prints: the same as base here.
  issuer: process.env.SESSIOND_ISSUER ?? base,
  jwksUrl: `${base}/.well-known/jwks.json`,
  eventsUrl: `${base}/v1/admin/events`,
  appKey: process.env.SESSIOND_APP_KEY,
  // Only this app's tokens open this server; the feed of its key carries this app's sessions.
  audience: process.env.SESSIOND_APP ?? 'web',
});

const server = createServer(async (req, res) => {
  const headers = new Headers();
  if (req.headers.authorization) headers.set('authorization', req.headers.authorization);
  const r = await authenticateRequest(verifier, new Request('http://local' + req.url, { headers }));
  res.writeHead(r.ok ? 200 : r.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(r.ok ? { userId: r.auth.userId, sessionId: r.auth.sessionId } : r.body));
});

await verifier.ready();
server.listen(Number(process.env.PORT ?? 5000), '127.0.0.1', () => {
  const a = server.address();
  console.log(`resource server listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
});
