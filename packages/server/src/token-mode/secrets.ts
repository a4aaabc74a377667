import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The key-encryption key: from SESSIOND_KEY_ENCRYPTION_KEY (base64, 32 bytes; required when nodes
 * run on several machines) or a file generated once in the data folder, readable only by us.
 * Purpose-specific subkeys are derived with HKDF so one secret never serves two uses.
 */
export function loadKeyEncryptionKey(env: Record<string, string | undefined>, dataDir: string): Buffer {
  const fromEnv = env.SESSIOND_KEY_ENCRYPTION_KEY;
  if (fromEnv) {
    const key = Buffer.from(fromEnv, 'base64');
    if (key.length !== 32) throw new Error('SESSIOND_KEY_ENCRYPTION_KEY: must be 32 bytes, base64-encoded (openssl rand -base64 32)');
    return key;
  }
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'key-encryption.key');
  try {
    writeFileSync(path, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as { code?: string }).code !== 'EEXIST') throw e;
  }
  return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
}

export function subkey(kek: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), `sessiond ${purpose}`, 32));
}
