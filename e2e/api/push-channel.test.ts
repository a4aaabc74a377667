import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, readEvents, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';

describe('the browser push channel', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  it('tells a session it ended, why, within a second of the ending elsewhere', async () => {
    const tab = new Client(server.url);
    await tab.post('/v1/signup', { email: 'push@example.com', password: PASSWORD });
    await tab.post('/v1/login', { email: 'push@example.com', password: PASSWORD });
    const other = new Client(server.url, { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0' });
    await other.post('/v1/login', { email: 'push@example.com', password: PASSWORD });
    const myId = (await tab.get('/v1/session')).json.session.id;

    const res = await fetch(server.url + '/v1/session/events', { headers: { cookie: [...tab.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reading = readEvents(res, (ev) => ev.some((e) => e.event === 'session.ended'));
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    expect((await other.delete(`/v1/sessions/${myId}`)).status).toBe(204);
    const events = await reading;
    const elapsed = Date.now() - t0;
    const ended = events.find((e) => e.event === 'session.ended')!;
    expect(events[0]!.event).toBe('session.state');
    expect(ended.data.reason).toBe('revoked');
    expect(ended.data.message).toContain('Firefox on Windows');
    expect(elapsed).toBeLessThan(1000);
  });

  it('needs a signed-in session', async () => {
    const r = await new Client(server.url).get('/v1/session/events');
    expect(r.status).toBe(401);
  });
});
