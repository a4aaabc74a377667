import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type ServerProcess } from '../harness.ts';

const PASSWORD = 'correct horse battery';

describe('GET /v1/session/draft-key', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  const signedIn = async (email: string, signUp = true) => {
    const c = new Client(server.url);
    if (signUp) expect((await c.post('/v1/signup', { email, password: PASSWORD })).status).toBe(201);
    expect((await c.post('/v1/login', { email, password: PASSWORD })).status).toBe(200);
    return c;
  };

  it("answers each person's own key, only to their live sessions and never cached", async () => {
    const laptop = await signedIn('drafts-a@example.com');
    const phone = await signedIn('drafts-a@example.com', false);
    const other = await signedIn('drafts-b@example.com');

    const first = await laptop.get('/v1/session/draft-key');
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.json.key).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    // The same person on another device gets the same key (their drafts follow them); someone else does not.
    expect((await phone.get('/v1/session/draft-key')).json.key).toBe(first.json.key);
    expect((await other.get('/v1/session/draft-key')).json.key).not.toBe(first.json.key);

    // Revoked from the phone: the laptop's session can no longer fetch the key.
    const { json } = await phone.get('/v1/sessions');
    const laptopSession = json.sessions.find((s: { current: boolean }) => !s.current);
    expect((await phone.delete(`/v1/sessions/${laptopSession.id}`)).status).toBe(204);
    const after = await laptop.get('/v1/session/draft-key');
    expect(after.status).toBe(401);
    expect(after.json.error).toMatchObject({ code: 'session_ended', reason: 'revoked' });
    expect(after.json.key).toBeUndefined();
    expect((await new Client(server.url).get('/v1/session/draft-key')).status).toBe(401);
  });
});
