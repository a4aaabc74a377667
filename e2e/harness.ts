import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { EventSourceParserStream } from 'eventsource-parser/stream';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared store this run's e2e servers use by default (vitest.config.ts), or none: memory. */
    e2eStore?: string;
  }
}

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'packages/server/src/cli.ts');

export interface ServerProcess {
  url: string;
  /** The kind of store it runs on, as `/readyz` names it: memory, sqlite, redis or postgres. */
  storeKind: string;
  /** Everything the process wrote, for assertions on logs. */
  output(): string;
  child: ChildProcess;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
}

/**
 * A namespace of its own in a shared store: a Redis key prefix, or a PostgreSQL schema that
 * `drop` removes. Servers given the same URL share it.
 */
export function storeNamespace(base: string, name: string): { url: string; drop(): Promise<void> } {
  const tag = randomBytes(5).toString('hex');
  const sep = base.includes('?') ? '&' : '?';
  if (/^rediss?:/.test(base)) return { url: `${base}${sep}prefix=${name}-${tag}`, drop: async () => {} };
  const schema = `${name}_${tag}`;
  return {
    url: `${base}${sep}schema=${schema}`,
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => c.end());
    },
  };
}

/** A fresh memory store, or, in the runs of the API tests on a shared store, a namespace there. */
function defaultStore(): { url: string; drop(): Promise<void> } {
  const base = inject('e2eStore');
  return base ? storeNamespace(base, 'e2e') : { url: 'memory:', drop: async () => {} };
}

/**
 * Starts a real sessiond process (see `defaultStore` unless SESSIOND_STORE is given) on a free
 * port and resolves once it listens.
 */
/**
 * For a test that starts and stops several server or CLI processes: each start is seconds of
 * loading on a busy machine, not the behaviour under test, so the default watchdog is too tight.
 */
export const PROCESS_STARTS_TIMEOUT_MS = 90_000;

export async function startServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  const store = env.SESSIOND_STORE ? null : defaultStore();
  const storeUrl = env.SESSIOND_STORE ?? store!.url;
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
    cwd: ROOT,
    // SESSIOND_CHECK_RESPONSES: every answer is checked against the OpenAPI contract (500 if not).
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SESSIOND_STORE: storeUrl, SESSIOND_LOG_LEVEL: 'warn', SESSIOND_CHECK_RESPONSES: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const onData = () => {
      const m = /sessiond listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  // A leftover namespace in a test database is harmless; a failed clean-up must not fail the test.
  const exited = new Promise<void>((r) => child.once('exit', () => r())).then(() => store?.drop().catch(() => {}));
  return {
    url,
    storeKind: ({ rediss: 'redis', postgresql: 'postgres' } as Record<string, string>)[storeUrl.split(':')[0]!] ?? storeUrl.split(':')[0]!,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The admin token of the servers that `startAdminServer` starts. */
export const ADMIN_TOKEN = 'admin-token-for-e2e-tests-0123456789';

/** A client of the admin API: with the admin token, or an app key's secret (SPEC §9). */
export function adminClient(url: string, secret: string = ADMIN_TOKEN): Client {
  return new Client(url, { authorization: `Bearer ${secret}` });
}

/**
 * A server whose admin API opens to `ADMIN_TOKEN`, with a client that holds it. Register apps
 * beyond the defaults with `SESSIOND_APPS` in `env`.
 */
export async function startAdminServer(env: Record<string, string> = {}): Promise<{ server: ServerProcess; admin: Client }> {
  const server = await startServer({ SESSIOND_ADMIN_TOKEN: ADMIN_TOKEN, ...env });
  return { server, admin: adminClient(server.url) };
}

/** Creates a key for `app` through the admin API (`admin` holds the admin token); its secret is shown only here. */
export async function createAppKey(admin: Client, app: string, scopes: string[], label = `${app} backend`): Promise<{ secret: string; key: { id: string; app: string; scopes: string[] } }> {
  const res = await admin.post(`/v1/admin/apps/${app}/keys`, { label, scopes });
  if (res.status !== 201) throw new Error(`creating a key for ${app} answered ${res.status}: ${res.text}`);
  return res.json;
}

/** A client of the admin API acting with a new key of `app`. */
export async function appKeyClient(admin: Client, app: string, scopes: string[], label?: string): Promise<Client> {
  return adminClient(admin.base, (await createAppKey(admin, app, scopes, label)).secret);
}

/** Starts a server that must refuse to start: its exit code and the lines it wrote; throws if it started. */
export async function startRefused(env: Record<string, string>): Promise<{ code: number; lines: string[] }> {
  let server: ServerProcess;
  try {
    server = await startServer(env);
  } catch (e) {
    const exited = /^server exited with (\d+):\n([^]*)$/.exec((e as Error).message);
    if (!exited) throw e;
    return { code: Number(exited[1]), lines: exited[2]!.trim().split('\n') };
  }
  await server.stop();
  throw new Error('the server started');
}

/** Runs the CLI to completion. */
export async function runCli(args: string[], env: Record<string, string> = {}, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input ?? '');
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { code, stdout, stderr };
}

/** A small JSON client that keeps a cookie jar, like one browser. */
export class Client {
  cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly defaults: Record<string, string> = {},
  ) {}

  async req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...this.defaults, ...headers };
    if (body !== undefined) h['content-type'] ??= 'application/json';
    if (this.cookies.size && !('cookie' in h)) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method !== 'GET' && !('origin' in h)) h.origin = new URL(this.base).origin;
    const res = await fetch(this.base + path, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (/Max-Age=0/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, json, text };
  }
  get(path: string, headers?: Record<string, string>) {
    return this.req('GET', path, undefined, headers);
  }
  post(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.req('POST', path, body ?? {}, headers);
  }
  delete(path: string, headers?: Record<string, string>) {
    return this.req('DELETE', path, undefined, headers);
  }
}

export interface ServerSentEvent {
  id?: string;
  event: string;
  data: any;
}

/** Reads Server-Sent Events (named ones, data parsed as JSON) until `until` returns true or the stream ends. */
export async function readEvents(res: Response, until: (events: ServerSentEvent[]) => boolean): Promise<ServerSentEvent[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  const events: ServerSentEvent[] = [];
  while (!until(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    if (value.event) events.push({ ...(value.id === undefined ? {} : { id: value.id }), event: value.event, data: JSON.parse(value.data) });
  }
  await reader.cancel().catch(() => undefined);
  return events;
}
