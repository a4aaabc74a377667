import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';

/** Reads Server-Sent Events until `until` returns true or the stream ends. */
async function readEvents(res: Response, until: (events: { event: string; data: any }[]) => boolean) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: { event: string; data: any }[] = [];
  let buf = '';
  while (!until(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data) });
    }
  }
  await reader.cancel().catch(() => undefined);
  return events;
}

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
