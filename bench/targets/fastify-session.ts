// @fastify/session with its default in-memory store.
import Fastify from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';

const app = Fastify({ logger: false });
await app.register(fastifyCookie);
await app.register(fastifySession, { secret: 'bench-secret-bench-secret-bench-secret', cookie: { secure: false, httpOnly: true, sameSite: 'lax', maxAge: 30 * 60_000 }, saveUninitialized: false });
app.post('/login', async (req) => {
  req.session.set('user' as never, { id: 'u1', email: 'bench@example.com' } as never);
  return { ok: true };
});
app.get('/v1/session', async (req, reply) => {
  const user = req.session.get('user' as never);
  if (!user) return reply.code(401).send({ error: { code: 'unauthenticated' } });
  return { user, session: { id: req.session.sessionId } };
});
await app.listen({ port: 0, host: '127.0.0.1' });
const a = app.server.address();
const url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
const r = await fetch(url + '/login', { method: 'POST' });
console.log(`listening on ${url}`);
console.log(`BENCH_HEADERS ${JSON.stringify({ cookie: r.headers.getSetCookie()[0]!.split(';')[0] })}`);
