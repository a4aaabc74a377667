import { expect, it } from 'vitest';
import { Drafts } from './drafts.ts';

/** localStorage's interface over a Map. */
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    key: (i) => [...m.keys()][i] ?? null,
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
    clear: () => m.clear(),
  };
}

const aesKey = () => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

it('a draft the current key cannot open is kept, and opens under the key it was sealed with', async () => {
  const storage = memoryStorage();
  const sealedWith = await aesKey();
  const name = 'sessiond:draft:v2:u1:expense';
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(name) }, sealedWith, new TextEncoder().encode(JSON.stringify({ amount: '42' })));
  storage.setItem(name, JSON.stringify({ savedAt: Date.now(), iv: b64(iv), sealed: b64(new Uint8Array(sealed)) }));

  const drafts = new Drafts({ storage });
  // Another node, with another key-encryption key, answered the draft key.
  drafts.unlock('u1', aesKey());
  expect(await drafts.read('expense')).toBeNull();
  expect(storage.getItem(name)).not.toBeNull();

  drafts.unlock('u1', Promise.resolve(sealedWith));
  expect(await drafts.read('expense')).toMatchObject({ fields: { amount: '42' } });
});
