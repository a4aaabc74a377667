import type { IdentityRecord, IdentityStore } from '@sessiond/core';
import { clone } from './state.ts';

/** Identity-provider accounts by `issuer subject`, and provider sessions by `issuer sid`. */
export class MemoryIdentities implements IdentityStore {
  private readonly identities = new Map<string, IdentityRecord>();
  private readonly providerSessionIds = new Map<string, Map<string, number>>();

  async linkIdentity(identity: IdentityRecord): Promise<IdentityRecord> {
    const key = JSON.stringify([identity.issuer, identity.subject]);
    if (!this.identities.has(key)) this.identities.set(key, clone(identity));
    return clone(this.identities.get(key)!);
  }

  async findIdentity(issuer: string, subject: string): Promise<IdentityRecord | null> {
    const found = this.identities.get(JSON.stringify([issuer, subject]));
    return found ? clone(found) : null;
  }

  async addProviderSession(issuer: string, sid: string, sessionId: string, purgeAt: number, _now: number): Promise<void> {
    const key = JSON.stringify([issuer, sid]);
    const ids = this.providerSessionIds.get(key) ?? new Map<string, number>();
    ids.set(sessionId, purgeAt);
    this.providerSessionIds.set(key, ids);
  }

  async providerSessions(issuer: string, sid: string, now: number): Promise<string[]> {
    const key = JSON.stringify([issuer, sid]);
    const ids = this.providerSessionIds.get(key);
    if (!ids) return [];
    // Forgotten as they expire: a long-lived process keeps only what may still be named.
    for (const [id, purgeAt] of ids) if (purgeAt <= now) ids.delete(id);
    if (ids.size === 0) this.providerSessionIds.delete(key);
    return [...ids.keys()];
  }
}
