import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { Client, startServer } from '../harness.ts';

it('the sign-in counters name a typed email only by its keyed fingerprint: a password typed there is not stored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sessiond-typed-'));
  const kek = randomBytes(32);
  const file = join(dir, 'sessiond.db');
  const server = await startServer({ SESSIOND_STORE: `sqlite:${file}`, SESSIOND_DATA_DIR: dir, SESSIOND_KEY_ENCRYPTION_KEY: kek.toString('base64') });
  try {
    expect((await new Client(server.url).post('/v1/login', { email: ' Hunter2-Secret', password: 'wrong password here' })).status).toBe(401);
  } finally {
    await server.stop();
  }
  const db = new Database(file, { readonly: true });
  const keys = (db.prepare('SELECT key FROM counters').all() as { key: string }[]).map((r) => r.key);
  db.close();
  const subkey = Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), 'sessiond email fingerprints', 32));
  const fingerprint = `hmac:${createHmac('sha256', subkey).update('hunter2-secret').digest('hex').slice(0, 32)}`;
  expect(keys.filter((k) => k.includes(fingerprint)).length).toBeGreaterThan(0);
  for (const k of keys) expect(k.toLowerCase()).not.toContain('hunter2');
});
