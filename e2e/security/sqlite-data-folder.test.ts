import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Client, PROCESS_STARTS_TIMEOUT_MS, runCli, startRefused, startServer } from '../harness.ts';

const PASSWORD = 'correct horse battery';
const tempDir = () => mkdtempSync(join(tmpdir(), 'sessiond-data-'));

describe('one SQLite file, one server', () => {
  it('a second server on the same file exits naming the first one’s PID; after a kill -9 of the first a new one starts', async () => {
    const dir = tempDir();
    const env = { SESSIOND_STORE: `sqlite:${join(dir, 'sessiond.db')}`, SESSIOND_DATA_DIR: dir };
    const first = await startServer(env);
    try {
      const second = await startRefused(env);
      expect(second.code).toBe(1);
      expect(second.lines).toHaveLength(1);
      expect(second.lines[0]).toContain(`${join(dir, 'sessiond.db')} is already served by another sessiond (pid ${first.child.pid})`);

      // The short-lived admin commands still open the file beside the running server.
      const created = await runCli(['users', 'create', '--email', 'admin-cli@example.com', '--password-stdin'], env, PASSWORD + '\n');
      expect(created.code).toBe(0);
      expect((await new Client(first.url).post('/v1/login', { email: 'admin-cli@example.com', password: PASSWORD })).status).toBe(200);
      expect((await runCli(['sessions', 'list', '--user', 'admin-cli@example.com'], env)).stdout).toContain('1 active session');
    } finally {
      await first.kill();
    }
    const next = await startServer(env);
    try {
      expect((await new Client(next.url).post('/v1/login', { email: 'admin-cli@example.com', password: PASSWORD })).status).toBe(200);
    } finally {
      await next.stop();
    }
  }, PROCESS_STARTS_TIMEOUT_MS);

  it('a second server on a symlink to the file, or through a symlinked folder, is refused too', async () => {
    const dir = tempDir();
    const other = tempDir();
    symlinkSync(join(dir, 'sessiond.db'), join(other, 'link.db'));
    symlinkSync(dir, join(other, 'folder'));
    const first = await startServer({ SESSIOND_STORE: `sqlite:${join(dir, 'sessiond.db')}`, SESSIOND_DATA_DIR: dir });
    try {
      for (const path of [join(other, 'link.db'), join(other, 'folder', 'sessiond.db')]) {
        const second = await startRefused({ SESSIOND_STORE: `sqlite:${path}`, SESSIOND_DATA_DIR: dir });
        expect(second.lines).toEqual([expect.stringContaining(`${path} is already served by another sessiond (pid ${first.child.pid})`)]);
      }
    } finally {
      await first.stop();
    }
  });
});

describe('the generated key-encryption key beside the SQLite file', () => {
  const WARNING = /"level":40,.*"msg":"the key-encryption key \S+ is in the same folder as the SQLite database/;
  const outputOf = async (env: Record<string, string>) => {
    const server = await startServer(env);
    await server.stop();
    return server.output();
  };

  it('is warned about once at start-up in production, and not in development or when SESSIOND_DATA_DIR is elsewhere', async () => {
    const dir = tempDir();
    const store = `sqlite:${join(dir, 'sessiond.db')}`;
    const production = await outputOf({ NODE_ENV: 'production', SESSIOND_STORE: store, SESSIOND_DATA_DIR: dir });
    expect(production.split('\n').filter((l) => WARNING.test(l))).toHaveLength(1);
    expect(await outputOf({ NODE_ENV: 'development', SESSIOND_STORE: store, SESSIOND_DATA_DIR: dir })).not.toMatch(WARNING);
    expect(await outputOf({ NODE_ENV: 'production', SESSIOND_STORE: `sqlite:${join(tempDir(), 'sessiond.db')}`, SESSIOND_DATA_DIR: tempDir() })).not.toMatch(WARNING);
  });
});

describe('the generated key-encryption key', () => {
  it('a data folder where it cannot be created stops start-up with one line saying what to do', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'not-a-folder'), '');
    const dataDir = join(dir, 'not-a-folder', 'data');
    const refused = await startRefused({ SESSIOND_STORE: 'memory:', SESSIOND_DATA_DIR: dataDir, SESSIOND_KEY_ENCRYPTION_KEY: '' });
    expect(refused).toEqual({ code: 1, lines: [`sessiond: cannot create the key-encryption key ${join(dataDir, 'key-encryption.key')} (ENOTDIR): make SESSIOND_DATA_DIR writable, or set SESSIOND_KEY_ENCRYPTION_KEY`] });
  });
});
