// Better Auth's getSession on SQLite (better-sqlite3), behind a plain node:http server.
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { fromNodeHeaders } from 'better-auth/node';

const dir = mkdtempSync(join(tmpdir(), 'bench-better-auth-'));
const auth = betterAuth({
  database: new Database(join(dir, 'auth.db')),
  secret: 'bench-secret-bench-secret-bench-secret-0123',
  baseURL: 'http://127.0.0.1',
  emailAndPassword: { enabled: true },
  logger: { disabled: true },
});
const { runMigrations } = await getMigrations(auth.options);
await runMigrations();
const signUp = await auth.api.signUpEmail({ body: { email: 'bench@example.com', password: 'correct horse battery', name: 'Bench' }, asResponse: true });
const cookie = signUp.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

const server = createServer(async (req, res) => {
  const session = await auth.api.getSession({ headers: fromNodeHeaders(req.headers) });
  res.writeHead(session ? 200 : 401, { 'content-type': 'application/json' });
  res.end(JSON.stringify(session ?? { error: { code: 'unauthenticated' } }));
});
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  console.log(`listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
  console.log(`BENCH_HEADERS ${JSON.stringify({ cookie })}`);
});
