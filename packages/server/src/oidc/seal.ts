import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM with a purpose bound in as associated data: a value sealed for one use (the sign-in
 * flow cookie, one session's ID token) never opens as another. Used for what the provider hands us
 * that must not be readable at rest or in the browser.
 */
export class Sealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('a sealing key is 32 bytes');
  }

  seal(plain: string, purpose: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** The plain text, or null for anything not sealed by this key for this purpose. */
  open(sealed: string, purpose: string): string | null {
    const [v, iv, tag, body, extra] = sealed.split('.');
    if (v !== 'v1' || !iv || !tag || !body || extra !== undefined) return null;
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), { authTagLength: 16 }); // never a short tag
      d.setAAD(Buffer.from(purpose));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
