import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createSqliteStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'sessiond-sqlite-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The promise behind synchronous=NORMAL in WAL mode: a process killed mid-load (kill -9) loses
// no write it had answered. (Power loss is outside this test and outside NORMAL's promise.)
it('keeps every answered sign-in when the process is killed with SIGKILL', async () => {
  const path = join(dir, 'crash.db');
  const child = spawn(process.execPath, ['--import', 'tsx', join(dirname(fileURLToPath(import.meta.url)), 'crash-writer.fixture.ts'), path], {
    cwd: dirname(fileURLToPath(import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const answered: string[] = [];
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited early: ${code ?? signal}`))));
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (buffered + chunk.toString()).split('\n');
      buffered = lines.pop()!;
      answered.push(...lines);
      if (answered.length >= 300 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
  });
  expect(answered.length).toBeGreaterThanOrEqual(300);
  const store = createSqliteStore(path);
  await store.init();
  const missing: string[] = [];
  for (const id of answered) if (!(await store.findSession(id))) missing.push(id);
  await store.close();
  expect(missing).toEqual([]);
}, 30_000);
