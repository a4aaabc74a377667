import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKeyEncryptionKey, subkey } from './secrets.ts';

describe('key-encryption key', () => {
  it('is generated once into the data folder, readable only by its owner', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessiond-kek-'));
    const a = loadKeyEncryptionKey({ keyEncryptionKey: null, dataDir: dir });
    const b = loadKeyEncryptionKey({ keyEncryptionKey: null, dataDir: dir });
    expect(a.length).toBe(32);
    expect(b.equals(a)).toBe(true);
    expect(statSync(join(dir, 'key-encryption.key')).mode & 0o777).toBe(0o600);
  });

  it('comes from SESSIOND_KEY_ENCRYPTION_KEY when set, and refuses a key of the wrong size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessiond-kek-'));
    const key = Buffer.alloc(32, 9);
    expect(loadKeyEncryptionKey({ keyEncryptionKey: key.toString('base64'), dataDir: dir }).equals(key)).toBe(true);
    expect(() => loadKeyEncryptionKey({ keyEncryptionKey: 'c2hvcnQ=', dataDir: dir })).toThrow(/^SESSIOND_KEY_ENCRYPTION_KEY: must be 32 bytes/);
  });

  it('refuses a damaged key file instead of using a weak key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessiond-kek-'));
    writeFileSync(join(dir, 'key-encryption.key'), '\n');
    expect(() => loadKeyEncryptionKey({ keyEncryptionKey: null, dataDir: dir })).toThrow(/key-encryption\.key: must be 32 bytes/);
    expect(readFileSync(join(dir, 'key-encryption.key'), 'utf8')).toBe('\n');
  });

  it('derives a distinct subkey per purpose', () => {
    const kek = Buffer.alloc(32, 1);
    expect(subkey(kek, 'a').equals(subkey(kek, 'b'))).toBe(false);
    expect(subkey(kek, 'a').equals(subkey(kek, 'a'))).toBe(true);
  });
});
