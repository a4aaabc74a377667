// express-session as most Node apps use it: MemoryStore, or connect-redis with the redis client.
import express from 'express';
import session from 'express-session';

const useRedis = process.argv[2] === 'redis';
let store: session.Store | undefined;
if (useRedis) {
  const { createClient } = await import('redis');
  const { RedisStore } = await import('connect-redis');
  const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
  await client.connect();
  store = new RedisStore({ client, prefix: `bench-sess-${process.pid}:` });
}
const app = express();
app.use(
  session({
    secret: 'bench-secret-bench-secret-bench-secret',
    resave: false,
    saveUninitialized: false,
    rolling: false,
    store,
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: 30 * 60_000 },
  }),
);
app.post('/login', (req, res) => {
  (req.session as unknown as Record<string, unknown>).user = { id: 'u1', email: 'bench@example.com' };
  res.json({ ok: true });
});
app.get('/v1/session', (req, res) => {
  const user = (req.session as unknown as Record<string, unknown>).user;
  if (!user) return res.status(401).json({ error: { code: 'unauthenticated' } });
  res.json({ user, session: { id: req.sessionID, expiresAt: req.session.cookie.expires } });
});
const server = app.listen(0, '127.0.0.1', async () => {
  const a = server.address();
  const url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  const r = await fetch(url + '/login', { method: 'POST' });
  const cookie = r.headers.getSetCookie()[0]!.split(';')[0];
  console.log(`listening on ${url}`);
  console.log(`BENCH_HEADERS ${JSON.stringify({ cookie })}`);
});
