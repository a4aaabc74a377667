import { afterAll, describe, expect, it } from 'vitest';
import { Client, readEvents, startServer, storeNamespace, type ServerProcess } from '../harness.ts';
import { Browserish, signInThroughProvider } from './browserish.ts';
import { SECRET_A, writeConfig } from './setup.ts';
import { freePort, TestProvider } from './test-provider.ts';

const stores = [
  ['redis', process.env.REDIS_URL],
  ['postgres', process.env.DATABASE_URL],
] as const;
for (const [kind, url] of stores) if (!url) console.warn(`oidc multinode: ${kind === 'redis' ? 'REDIS_URL' : 'DATABASE_URL'} is not set; the ${kind} test is SKIPPED`);

const drops: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(drops.map((d) => d())));

describe.each(stores)('back-channel logout on two nodes on %s', (_kind, base) => {
  it.skipIf(!base)("ends the session on the other node within a second, and a replay at the other node ends nothing", async () => {
    const ns = storeNamespace(base!, 'oidc');
    drops.push(ns.drop);
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const acme = await TestProvider.start([
      { client_id: 'sessiond', client_secret: SECRET_A, redirect_uris: [`${publicUrl}/v1/oidc/acme/callback`], backchannel_logout_uri: `${publicUrl}/v1/oidc/acme/backchannel-logout` },
    ]);
    const beta = await TestProvider.start([]);
    const config = writeConfig(acme.issuer, beta.issuer);
    const nodes: ServerProcess[] = [];
    try {
      // A is what the provider and the browser see; B shares the store (and the public URL, as behind one load balancer).
      nodes.push(await startServer({ PORT: String(port), SESSIOND_PUBLIC_URL: publicUrl, SESSIOND_STORE: ns.url, SESSIOND_CONFIG: config }));
      nodes.push(await startServer({ SESSIOND_PUBLIC_URL: publicUrl, SESSIOND_STORE: ns.url, SESSIOND_CONFIG: config }));
      const [a, b] = nodes as [ServerProcess, ServerProcess];
      const browser = new Browserish();
      await signInThroughProvider(browser, `${a.url}/v1/oidc/acme/start`, 'zoe');
      const onB = new Client(b.url);
      onB.cookies.set('sessiond', browser.cookie(publicUrl, 'sessiond')!);
      expect((await onB.get('/v1/session')).json.session.sso.provider).toBe('acme');
      // B holds the session's push channel, as a tab served by B would.
      const channel = await fetch(`${b.url}/v1/session/events`, { headers: { cookie: `sessiond=${browser.cookie(publicUrl, 'sessiond')}` } });
      expect(channel.status).toBe(200);
      const told = readEvents(channel, (events) => events.some((e) => e.event === 'session.ended'));

      const token = await acme.logoutToken('sessiond', { sub: 'zoe' });
      const t0 = Date.now();
      const res = await fetch(`${a.url}/v1/oidc/acme/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }) });
      expect(res.status).toBe(200);
      const events = await told;
      expect(Date.now() - t0).toBeLessThan(1_000);
      expect(events.find((e) => e.event === 'session.ended')!.data).toMatchObject({ reason: 'sso_logout', message: "Your organisation's sign-in (Acme SSO) signed you out." });
      expect((await onB.get('/v1/session', { 'x-sessiond-passive': '1' })).json.error.reason).toBe('sso_logout');

      // The same token at the other node: its jti is known there too.
      await signInThroughProvider(new Browserish(), `${a.url}/v1/oidc/acme/start`, 'zoe');
      const replay = await fetch(`${b.url}/v1/oidc/acme/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }) });
      expect(replay.status).toBe(400);
      expect((await replay.json()).error.message).toMatch(/used before/);
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      await acme.stop();
      await beta.stop();
    }
  });
});
