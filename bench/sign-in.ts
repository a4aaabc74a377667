/** A fresh account signed in on a running sessiond: the headers that present its session. */
export async function sessiondHeaders(url: string, kind: 'bearer' | 'cookie'): Promise<Record<string, string>> {
  const email = `bench-${Date.now()}@example.com`;
  const body = JSON.stringify({ email, password: 'correct horse battery' });
  const json = { 'content-type': 'application/json', origin: url };
  await fetch(url + '/v1/signup', { method: 'POST', headers: json, body });
  const r = await fetch(url + '/v1/login', { method: 'POST', headers: json, body });
  if (!r.ok) throw new Error(`sign-in for the bench failed: ${r.status} ${await r.text()}`);
  const { token } = (await r.json()) as { token: string };
  return kind === 'bearer' ? { authorization: `Bearer ${token}` } : { cookie: `sessiond=${token}` };
}
