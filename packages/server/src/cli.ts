#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { APP_KEY_SCOPES, enqueueOnRecord, Sessiond, systemClock, Webhooks, normalizeEmail, SessiondError, type AppKeyScope } from '@sessiond/core';
import { ConfigError, loadConfig, type ServerConfig } from './config.ts';
import { openStore } from './open-store.ts';
import { argon2Hasher } from './passwords.ts';
import { startServer } from './server.ts';
import { tokenModeStartOptions } from './token-mode/start-options.ts';

const USAGE = `Usage:
  sessiond serve
  sessiond users create --email <email> (--password-stdin | --password <password>)
  sessiond sessions list --user <email or user id>
  sessiond sessions revoke <session id> | --user <email or user id>
  sessiond keys rotate
  sessiond apps keys create <app> --label <label> --scopes <scope,scope…>
  sessiond apps keys list <app>
  sessiond apps keys revoke <app> <key id>

Configuration comes from the environment (see README).`;

/**
 * Session and user ids are base64url, so one may begin with "-" and read as a flag. Only the named
 * options are options; a value is attached with "=" and every other word goes after "--".
 */
function normaliseArgs(args: string[], options: Record<string, { type: 'string' | 'boolean' }>): string[] {
  const named: string[] = [];
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const name = a.startsWith('--') ? a.slice(2).split('=')[0]! : '';
    const option = options[name];
    if (!option) words.push(a);
    else if (option.type === 'boolean' || a.includes('=')) named.push(a);
    else if (i + 1 < args.length) named.push(`--${name}=${args[++i]}`);
    else named.push(a);
  }
  return [...named, '--', ...words];
}

function fail(message: string): never {
  process.stderr.write(message + '\n');
  process.exit(1);
}

function config(): ServerConfig {
  try {
    return loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) fail(`sessiond: bad configuration: ${e.message}`);
    throw e;
  }
}

async function withDomain<T>(fn: (s: Sessiond) => Promise<T>): Promise<T> {
  const cfg = config();
  const store = await openStore(cfg.store, { sqliteSync: cfg.sqliteSync });
  // What the CLI ends or starts reaches webhooks too: it queues deliveries (a server sends them), so
  // it never needs to sign, nor the key-encryption key.
  const webhooks = new Webhooks(store, systemClock, cfg.webhooks.configured, {
    seal: () => fail('sessiond: the CLI does not create webhooks'),
    unseal: () => fail('sessiond: the CLI does not send webhooks'),
  });
  await webhooks.start();
  enqueueOnRecord(store, webhooks);
  const sessiond = new Sessiond({ store, clock: systemClock, config: cfg.core, passwords: argon2Hasher() });
  try {
    return await fn(sessiond);
  } finally {
    webhooks.close();
    sessiond.close();
    await store.close();
  }
}

async function findUser(s: Sessiond, who: string) {
  const user = (await s.store.findUserById(who)) ?? (await s.store.findUserByEmail(normalizeEmail(who)));
  if (!user) fail(`sessiond: no user "${who}"`);
  return user;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function main(argv: string[]): Promise<void> {
  const [cmd, sub, ...rest] = argv;
  // Asked for, the usage is an answer (stdout, exit 0); after a wrong command it is an error.
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (cmd === 'serve') {
    const cfg = config();
    const server = await startServer(cfg, tokenModeStartOptions());
    const publicUrl = server.app.publicOrigin === server.url ? '' : `, public URL and token issuer ${server.app.publicOrigin}`;
    process.stdout.write(`sessiond listening on ${server.url} (store: ${server.app.sessiond.store.kind}${publicUrl})\n`);
    const stop = async () => {
      await server.close();
      process.exit(0);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    return;
  }
  const options = { email: { type: 'string' }, password: { type: 'string' }, 'password-stdin': { type: 'boolean' }, user: { type: 'string' }, label: { type: 'string' }, scopes: { type: 'string' } } as const;
  const { values, positionals } = parseArgs({ args: normaliseArgs(rest, options), allowPositionals: true, options });
  if (cmd === 'users' && sub === 'create') {
    if (!values.email) fail(USAGE);
    const password = values['password-stdin'] ? await readStdin() : values.password;
    if (!password) fail('sessiond: give the password with --password-stdin (or --password)');
    const user = await withDomain((s) => s.users.create(values.email!, password));
    process.stdout.write(`created user ${user.id} <${user.email}>\n`);
  } else if (cmd === 'sessions' && sub === 'list') {
    if (!values.user) fail(USAGE);
    await withDomain(async (s) => {
      const user = await findUser(s, values.user!);
      const sessions = await s.sessions.list(user.id);
      for (const x of sessions) {
        process.stdout.write(`${x.id}\t${x.app}\t${x.device.label}\t${x.ipLast ?? '-'}\tsigned in ${new Date(x.createdAt).toISOString()}\tlast active ${new Date(x.lastActiveAt).toISOString()}\n`);
      }
      process.stdout.write(`${sessions.length} active session${sessions.length === 1 ? '' : 's'}\n`);
    });
  } else if (cmd === 'sessions' && sub === 'revoke') {
    await withDomain(async (s) => {
      if (values.user) {
        const user = await findUser(s, values.user);
        process.stdout.write(`ended ${await s.revokeUserSessionsAsAdmin(user.id)} sessions\n`);
      } else if (positionals[0]) {
        const ended = await s.sessions.end(positionals[0], 'revoked_by_admin');
        if (!ended) fail(`sessiond: no active session ${positionals[0]}`);
        process.stdout.write(`ended session ${ended.id}\n`);
      } else fail(USAGE);
    });
  } else if (cmd === 'keys' && sub === 'rotate') {
    const rotate = tokenModeStartOptions().rotateKeys;
    await withDomain(async (s) => process.stdout.write((await rotate(s, config())) + '\n'));
  } else if (cmd === 'apps' && sub === 'keys') {
    await appKeysCommand(positionals, values);
  } else {
    fail(USAGE);
  }
}

/** `apps keys create|list|revoke`: the same operations as /v1/admin/apps/:app/keys. */
async function appKeysCommand([action, appName, id]: string[], values: { label?: string; scopes?: string }): Promise<void> {
  if (!appName) fail(USAGE);
  if (!config().core.apps.includes(appName)) fail(`sessiond: "${appName}" is not a registered app (SESSIOND_APPS, SESSIOND_CONFIG)`);
  await withDomain(async (s) => {
    if (action === 'create') {
      const scopes = (values.scopes ?? '').split(',').map((x) => x.trim()).filter(Boolean);
      if (!values.label || scopes.length === 0) fail(USAGE);
      const unknown = scopes.find((x) => !(APP_KEY_SCOPES as readonly string[]).includes(x));
      if (unknown) fail(`sessiond: unknown scope "${unknown}"; scopes are ${APP_KEY_SCOPES.join(', ')}`);
      const { key, secret } = await s.appKeys.create(appName, values.label, scopes as AppKeyScope[]);
      process.stdout.write(`created key ${key.id} for ${appName} (${key.scopes.join(', ')})\n${secret}\nThe secret is shown only this once.\n`);
    } else if (action === 'list') {
      const keys = await s.appKeys.list(appName);
      for (const k of keys) process.stdout.write(`${k.id}\t${k.label}\t${k.scopes.join(',')}\tcreated ${new Date(k.createdAt).toISOString()}\tlast used ${k.lastUsedAt === null ? 'never' : new Date(k.lastUsedAt).toISOString()}\n`);
      process.stdout.write(`${keys.length} key${keys.length === 1 ? '' : 's'}\n`);
    } else if (action === 'revoke' && id) {
      await s.appKeys.revoke(appName, id);
      process.stdout.write(`revoked key ${id}\n`);
    } else fail(USAGE);
  });
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof SessiondError) fail(`sessiond: ${e.message}`);
  fail(`sessiond: ${e instanceof Error ? e.message : String(e)}`);
});
