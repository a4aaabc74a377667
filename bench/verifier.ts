/**
 * Offline access-token verification in a resource server (@sessiond/verifier): verifications per
 * second with its cache, without it, and with the events feed subscribed. Standalone:
 *   NODE_OPTIONS=--conditions=sessiond:source npx tsx bench/verifier.ts
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVerifier } from '@sessiond/verifier';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ADMIN = 'bench-verifier-admin-token-0123456789';

async function rate(verify: (t: string) => Promise<unknown>, token: string, ms = 2000): Promise<number> {
  for (let i = 0; i < 2000; i++) await verify(token);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 1000; i++) await verify(token);
    n += 1000;
  }
  return n / ((performance.now() - t0) / 1000);
}

export async function benchVerifier(): Promise<{ name: string; opsPerSec: number }[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/cli.ts', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', SESSIOND_STORE: 'memory:', SESSIOND_ADMIN_TOKEN: ADMIN, SESSIOND_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
  });
  try {
    const json = { 'content-type': 'application/json', origin: url };
    const body = JSON.stringify({ email: 'verifier@example.com', password: 'correct horse battery' });
    await fetch(url + '/v1/signup', { method: 'POST', headers: json, body });
    const login = (await (await fetch(url + '/v1/login', { method: 'POST', headers: json, body: body.replace('}', ',"mode":"token"}') })).json()) as { accessToken: string };
    // The printed URL is the tokens' issuer.
    const issuer = url;
    const base = { issuer, jwksUrl: `${url}/.well-known/jwks.json`, audience: 'web' };
    const keyed = await fetch(url + '/v1/admin/apps/web/keys', { method: 'POST', headers: { ...json, authorization: `Bearer ${ADMIN}` }, body: JSON.stringify({ label: 'bench', scopes: ['events:read'] }) });
    const { secret } = (await keyed.json()) as { secret: string };
    const cached = createVerifier(base);
    const uncached = createVerifier({ ...base, cacheSize: 0 });
    const withFeed = createVerifier({ ...base, eventsUrl: `${url}/v1/admin/events`, appKey: secret });
    await withFeed.ready();
    const out = [
      { name: 'verifier: offline verify, cache on', opsPerSec: await rate((t) => cached.verify(t), login.accessToken) },
      { name: 'verifier: offline verify, cache on, events feed subscribed', opsPerSec: await rate((t) => withFeed.verify(t), login.accessToken) },
      { name: 'verifier: offline verify, cache off (Ed25519 each time)', opsPerSec: await rate((t) => uncached.verify(t), login.accessToken) },
    ];
    for (const v of [cached, uncached, withFeed]) v.close();
    return out;
  } finally {
    child.kill('SIGTERM');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchVerifier();
  for (const r of rows) console.log(`${r.name}: ${Math.round(r.opsPerSec).toLocaleString()}/s`);
  const { writeFileSync, mkdirSync } = await import('node:fs');
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/verifier.json'), JSON.stringify({ at: new Date().toISOString(), rows }, null, 2));
}
