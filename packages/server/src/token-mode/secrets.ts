import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Store } from '@sessiond/core';
import { existsSync, linkSync, mkdirSync, readFileSync, realpathSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ServerConfig } from '../config.ts';

const KEY_FILE = 'key-encryption.key';

/**
 * The key-encryption key: from SESSIOND_KEY_ENCRYPTION_KEY (base64, 32 bytes; required when nodes
 * run on several machines) or a file generated once in the data folder, readable only by us.
 * Purpose-specific subkeys are derived with HKDF so one secret never serves two uses.
 */
export function loadKeyEncryptionKey(config: Pick<ServerConfig, 'keyEncryptionKey' | 'dataDir'>): Buffer {
  const { keyEncryptionKey, dataDir } = config;
  if (keyEncryptionKey) return decodeKey(keyEncryptionKey, 'SESSIOND_KEY_ENCRYPTION_KEY');
  const path = join(dataDir, KEY_FILE);
  // A key generated before is only read, so a read-only data folder holding it still starts.
  if (!existsSync(path)) {
    try {
      generateKeyFile(dataDir, path);
    } catch (e) {
      throw new Error(`cannot create the key-encryption key ${path} (${(e as { code?: string }).code ?? (e as Error).message}): make SESSIOND_DATA_DIR writable, or set SESSIOND_KEY_ENCRYPTION_KEY`);
    }
  }
  return decodeKey(readFileSync(path, 'utf8').trim(), path);
}

function generateKeyFile(dataDir: string, path: string): void {
  mkdirSync(dataDir, { recursive: true });
  // Write a temporary file, then link it into place: link fails if the key exists, so processes
  // starting together never read a half-written key, and only one key is ever generated.
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(tmp, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  try {
    linkSync(tmp, path);
  } catch (e) {
    if ((e as { code?: string }).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Every node of a store must hold the same key-encryption key: the draft keys, the sign-in
 * counters' names and the sealed signing keys all derive from it. The first node to start records
 * a check value of its key in the store; a node whose key gives another value refuses to start.
 */
export async function checkKeyEncryptionKey(store: Store, kek: Buffer): Promise<void> {
  const check = createHmac('sha256', subkey(kek, 'store check')).update('sessiond key-encryption key check').digest('base64url');
  if ((await store.claimSetting('key-encryption-key-check', check)) !== check) {
    throw new Error('SESSIOND_KEY_ENCRYPTION_KEY differs from the one this store was first used with; give every node the same key');
  }
}

/**
 * In production a generated key beside the SQLite file is worth a warning: one copy of that folder
 * (a backup, a stolen disk image) holds both the sealed signing keys and the key that opens them.
 */
export function keyBesideDatabaseWarning(config: Pick<ServerConfig, 'production' | 'keyEncryptionKey' | 'dataDir' | 'store'>): string | null {
  const { dataDir, store } = config;
  if (!config.production || config.keyEncryptionKey || !store.startsWith('sqlite:')) return null;
  const keyPath = join(dataDir, KEY_FILE);
  if (folderOf(keyPath) !== folderOf(store.slice('sqlite:'.length))) return null;
  return `the key-encryption key ${keyPath} is in the same folder as the SQLite database, so one copy of that folder opens the sealed signing keys: set SESSIOND_KEY_ENCRYPTION_KEY or a SESSIOND_DATA_DIR elsewhere, and back the key up apart from the database (docs/operations.md)`;
}

/** The real folder of a file, so ./data and a symlink to it compare equal. */
function folderOf(path: string): string {
  const folder = dirname(resolve(path));
  try {
    return realpathSync(folder);
  } catch {
    return folder;
  }
}

function decodeKey(base64: string, source: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  // A short or empty key would still "work" with HKDF, silently weak: refuse it.
  if (key.length !== 32) throw new Error(`${source}: must be 32 bytes, base64-encoded (openssl rand -base64 32)`);
  return key;
}

export function subkey(kek: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), `sessiond ${purpose}`, 32));
}
