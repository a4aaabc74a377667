import { createHmac } from 'node:crypto';
import { session as C } from '@sessiond/contract';
import type { ContractInstance } from '../contract/openapi.ts';
import type { AppContext } from '../context.ts';
import { authenticate } from '../http/auth.ts';
import { subkey } from '../token-mode/secrets.ts';

/**
 * `GET /v1/session/draft-key`: the key the browser SDK seals this person's drafts with (AES-GCM).
 * Derived, never stored: HMAC of a subkey of the key-encryption key and the user id, so every node
 * answers the same key, each person has their own, and only a live session of that person gets it
 * — after any ending the drafts at rest are unreadable until the same person signs in again.
 */
export async function draftKeyRoutes(f: ContractInstance, app: AppContext): Promise<void> {
  const secret = subkey(app.keyEncryptionKey, 'draft keys');
  // Fetching the key is the SDK's background work, never activity.
  f.get('/v1/session/draft-key', { preHandler: authenticate(app, { passive: true }), schema: C.draftKey }, async (req, reply) => {
    const key = createHmac('sha256', secret).update(req.session!.userId).digest('base64url');
    return reply.header('cache-control', 'no-store').send({ key });
  });
}
