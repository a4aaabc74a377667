import type { IdentityRecord, IdentityStore } from '@sessiond/core';
import type { SqliteConnection } from './connection.ts';
import { guard } from './errors.ts';

type IdentityRow = { issuer: string; subject: string; user_id: string; provider: string; created_at: number };
const identityFromRow = (r: IdentityRow): IdentityRecord => ({ issuer: r.issuer, subject: r.subject, userId: r.user_id, provider: r.provider, createdAt: r.created_at });

/** Identity-provider accounts and the provider sessions back-channel logout names. */
export class SqliteIdentities implements IdentityStore {
  constructor(private readonly c: SqliteConnection) {}

  async linkIdentity(identity: IdentityRecord): Promise<IdentityRecord> {
    return this.c.transaction(() => {
      this.c.q.linkIdentity.run(identity.issuer, identity.subject, identity.userId, identity.provider, identity.createdAt);
      return identityFromRow(this.c.q.identity.get(identity.issuer, identity.subject) as IdentityRow);
    });
  }

  async findIdentity(issuer: string, subject: string): Promise<IdentityRecord | null> {
    const row = guard(() => this.c.q.identity.get(issuer, subject)) as IdentityRow | undefined;
    return row ? identityFromRow(row) : null;
  }

  async addProviderSession(issuer: string, sid: string, sessionId: string, purgeAt: number, now: number): Promise<void> {
    guard(() => {
      // A bounded clean-up on each sign-in keeps the table to what may still be named.
      this.c.q.purgeProviderSessions.run(now);
      this.c.q.addProviderSession.run(issuer, sid, sessionId, purgeAt);
    });
  }

  async providerSessions(issuer: string, sid: string, now: number): Promise<string[]> {
    return (guard(() => this.c.q.providerSessions.all(issuer, sid, now)) as { session_id: string }[]).map((r) => r.session_id);
  }
}
