import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, webhookKey } from '@sessiond/core';
import { signedHeaders } from './signature.ts';

describe('Standard Webhooks signature', () => {
  it('is what the standardwebhooks reference library verifies, and nothing else', () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ type: 'session.ended', timestamp: new Date().toISOString(), data: { reason: 'logged_out' } });
    const headers = signedHeaders('msg_abc', body, webhookKey(secret)!, Date.now());
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('logged_out', 'revoked'), headers)).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    // A replay of an old delivery is refused by the receiver's timestamp check.
    const old = signedHeaders('msg_abc', body, webhookKey(secret)!, Date.now() - 3_600_000);
    expect(() => new Webhook(secret).verify(body, old)).toThrow();
  });

  it('makes secrets of 32 random bytes and reads only well-formed ones', () => {
    const a = newWebhookSecret();
    expect(a).not.toBe(newWebhookSecret());
    expect(webhookKey(a)!.length).toBe(32);
    for (const bad of ['whsec_', 'whsec_***', `sk_${a.slice(6)}`, `whsec_${Buffer.alloc(16).toString('base64')}`]) expect(webhookKey(bad)).toBeNull();
  });
});
