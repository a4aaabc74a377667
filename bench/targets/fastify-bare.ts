// The ceiling for any HTTP endpoint on this machine: Fastify answering a constant.
import Fastify from 'fastify';

const body = { user: { id: 'u1', email: 'bench@example.com' }, session: { id: 's1', expiresAt: '2030-01-01T00:00:00.000Z' } };
const app = Fastify({ logger: false });
app.get('/v1/session', async () => body);
await app.listen({ port: 0, host: '127.0.0.1' });
const a = app.server.address();
console.log(`listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
console.log('BENCH_HEADERS {}');
