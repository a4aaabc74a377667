import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretSealer } from '@sessiond/core';
import { subkey } from '../token-mode/secrets.ts';

/**
 * Webhook signing secrets at rest: an HMAC key must be recoverable to sign, so it is sealed (AES-256-GCM
 * under a subkey of the key-encryption key, the signing keys' format), not hashed. A copy of the store
 * without the key-encryption key cannot sign a webhook.
 */
export function webhookSecretSealer(kek: Buffer): SecretSealer {
  const key = subkey(kek, 'webhook secrets');
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    unseal(sealed) {
      const [v, iv, tag, body] = sealed.split('.');
      if (v !== 'v1' || !iv || !tag || !body) throw new Error('unknown sealed webhook secret format');
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 }); // never a short tag
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
    },
  };
}
