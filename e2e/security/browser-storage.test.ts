import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../harness.ts';
import { createUser, launchBrowser, newContext, PASSWORD, signIn, startApp } from '../browser/support.ts';

/** Everything script in the page can read: cookies, both storages, every IndexedDB record. */
async function everythingScriptCanRead(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const dump: Record<string, unknown> = { cookie: document.cookie, local: { ...localStorage }, session: { ...sessionStorage } };
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(info.name!);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        dump[`idb:${info.name}:${store}`] = await new Promise((resolve) => {
          const all = db.transaction(store).objectStore(store).getAll();
          all.onsuccess = () => resolve(all.result);
        });
      }
      db.close();
    }
    return JSON.stringify(dump);
  });
}

describe('what a signed-in page leaves in the browser (ASVS 3.3.4, 10.1.1, 14.3.1, 14.3.3)', () => {
  let server: ServerProcess;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startApp(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('script can read no credential or password while signed in, and nothing of the session after logout', async () => {
    const email = 'storage@example.com';
    await createUser(server.url, email);
    const { context, page, problems } = await newContext(browser);
    await signIn(page, server.url, email, { rememberMe: true });
    // A draft is the one thing kept on purpose: the person's own unsent work, scoped to them.
    await page.getByLabel('Report title').fill('Conference travel');
    await expect.poll(async () => (await everythingScriptCanRead(page)).includes('Conference travel')).toBe(true);

    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'sessiond')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const secrets = cookies.map((c) => c.value.split('.')[1]!).filter(Boolean);
    expect(secrets.length).toBe(2); // the session and the trusted device
    const readable = await everythingScriptCanRead(page);
    for (const secret of secrets) expect(readable).not.toContain(secret);
    expect(readable).not.toContain(PASSWORD);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${server.url}/signed-out?reason=logged_out`);
    const after = await everythingScriptCanRead(page);
    expect(after).not.toContain('Conference travel');
    expect((await context.cookies()).map((c) => c.name)).not.toContain('sessiond');
    expect(problems).toEqual([]);
    await context.close();
  });
});
