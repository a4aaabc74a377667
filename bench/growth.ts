/**
 * Growth check: does validation slow down as the store fills? Loads N sessions into a store,
 * then measures validations per second and p99 over random stored sessions (cache off, so every
 * validation reads the store), at 1k and at N. Usage:
 *   npx tsx bench/growth.ts [store-url] [N]      (default sqlite in bench/results, 1,000,000)
 */
import { statSync, rmSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CORE_CONFIG, Sessiond, formatToken, hashSecret, randomId, randomSecret, systemClock, type SessionRecord, type Store } from '@sessiond/core';
import { openStore } from '../packages/server/src/open-store.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dbPath = join(ROOT, 'bench/results/growth.db');
const url = process.argv[2] ?? `sqlite:${dbPath}`;
const N = Number(process.argv[3] ?? 1_000_000);
const passwords = { hash: async (p: string) => p, verify: async (h: string, p: string) => h === p };

function record(userId: string, secret: string, now: number): SessionRecord {
  const id = randomId();
  return {
    id,
    tokenHash: hashSecret(secret),
    userId,
    app: 'web',
    mode: 'cookie',
    createdAt: now,
    authenticatedAt: now,
    lastActiveAt: now,
    idleExpiresAt: now + 7 * 86_400_000,
    absoluteExpiresAt: now + 30 * 86_400_000,
    idleTimeoutMs: 7 * 86_400_000,
    rememberMe: true,
    device: { browser: 'Chrome', os: 'macOS', type: 'desktop', label: 'Chrome on macOS', userAgent: 'Mozilla/5.0 (Macintosh) Chrome/120' },
    ipFirst: '192.0.2.1',
    ipLast: '192.0.2.1',
    locationFirst: { city: 'London', region: 'England', country: 'GB' },
    locationLast: { city: 'London', region: 'England', country: 'GB' },
    trustedDeviceId: null,
    refresh: null,
    endedAt: null,
    endReason: null,
    endDetail: null,
    purgeAt: now + 37 * 86_400_000,
  };
}

async function fill(store: Store, from: number, to: number, sample: string[]): Promise<void> {
  const now = Date.now();
  const batch = 256;
  for (let i = from; i < to; i += batch) {
    const jobs: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(to, i + batch); j++) {
      const secret = randomSecret();
      const s = record(`user-${j % 200_000}`, secret, now);
      if (sample.length < 20_000 && (j % Math.max(1, Math.floor(to / 20_000)) === 0 || to <= 20_000)) sample.push(formatToken(s.id, secret));
      jobs.push(store.createSession(s));
    }
    await Promise.all(jobs);
    if ((i / batch) % 400 === 0) process.stdout.write(`\r  ${i.toLocaleString()} sessions`);
  }
  process.stdout.write(`\r  ${to.toLocaleString()} sessions\n`);
}

async function measure(sd: Sessiond, sample: string[], ms = 3000) {
  const ctx = { ip: '192.0.2.1', userAgent: 'Mozilla/5.0 (Macintosh) Chrome/120', passive: true };
  const lat: number[] = [];
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < ms) {
    const tok = sample[(Math.random() * sample.length) | 0]!;
    const a = performance.now();
    await sd.sessions.validateToken(tok, ctx);
    lat.push(performance.now() - a);
    n++;
  }
  lat.sort((a, b) => a - b);
  return { perSec: Math.round(n / ((performance.now() - t0) / 1000)), p50us: Math.round(lat[Math.floor(lat.length / 2)]! * 1000), p99us: Math.round(lat[Math.floor(lat.length * 0.99)]! * 1000) };
}

async function size(store: Store): Promise<string> {
  if (url.startsWith('sqlite:')) {
    const p = url.slice(7);
    let bytes = 0;
    for (const f of [p, p + '-wal']) bytes += (() => { try { return statSync(f).size; } catch { return 0; } })();
    return `${(bytes / N).toFixed(0)} bytes on disk per session`;
  }
  void store;
  return 'see the store-specific figures in the README';
}

async function main() {
  if (url.startsWith('sqlite:')) {
    mkdirSync(dirname(dbPath), { recursive: true });
    for (const f of [dbPath, dbPath + '-wal', dbPath + '-shm']) rmSync(f, { force: true });
  }
  const store = await openStore(url);
  const sd = new Sessiond({ store, clock: systemClock, passwords, config: { ...DEFAULT_CORE_CONFIG, cacheSize: 0 } });
  const small: string[] = [];
  console.log(`store ${store.kind}: filling 1,000`);
  await fill(store, 0, 1000, small);
  const at1k = await measure(sd, small);
  console.log(`  at 1k: ${at1k.perSec}/s, p50 ${at1k.p50us} µs, p99 ${at1k.p99us} µs`);
  console.log(`filling to ${N.toLocaleString()}`);
  const t = performance.now();
  const big: string[] = [];
  await fill(store, 1000, N, big);
  console.log(`  filled in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  const atN = await measure(sd, big);
  console.log(`  at ${N.toLocaleString()}: ${atN.perSec}/s, p50 ${atN.p50us} µs, p99 ${atN.p99us} µs; ${await size(store)}`);
  sd.close();
  await store.close();
}

await main();
