import type { IdentityRecord, IdentityStore } from '@sessiond/core';
import type { PgConnection } from './connection.ts';

type IdentityRow = { issuer: string; subject: string; user_id: string; provider: string; created_at: number };
const identityFromRow = (r: IdentityRow): IdentityRecord => ({ issuer: r.issuer, subject: r.subject, userId: r.user_id, provider: r.provider, createdAt: r.created_at });

/** Identity-provider accounts and the provider sessions back-channel logout names. */
export class PgIdentities implements IdentityStore {
  constructor(private readonly c: PgConnection) {}

  async linkIdentity(identity: IdentityRecord): Promise<IdentityRecord> {
    // One statement: either this insert's row, or (on conflict) the one linked first.
    const r = await this.c.q<IdentityRow>(
      `WITH ins AS (
         INSERT INTO identities (issuer, subject, user_id, provider, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (issuer, subject) DO NOTHING RETURNING issuer, subject, user_id, provider, created_at)
       SELECT * FROM ins UNION ALL SELECT issuer, subject, user_id, provider, created_at FROM identities WHERE issuer = $1 AND subject = $2 LIMIT 1`,
      [identity.issuer, identity.subject, identity.userId, identity.provider, identity.createdAt],
    );
    const row = r.rows[0];
    if (row) return identityFromRow(row);
    // Lost a race to a link that committed after this statement's snapshot: ON CONFLICT saw it, the
    // SELECT (same snapshot) did not. A new statement reads it.
    const winner = await this.findIdentity(identity.issuer, identity.subject);
    if (!winner) throw new Error('identity link neither inserted nor found');
    return winner;
  }

  async findIdentity(issuer: string, subject: string): Promise<IdentityRecord | null> {
    const row = (await this.c.q<IdentityRow>('SELECT issuer, subject, user_id, provider, created_at FROM identities WHERE issuer = $1 AND subject = $2', [issuer, subject])).rows[0];
    return row ? identityFromRow(row) : null;
  }

  async addProviderSession(issuer: string, sid: string, sessionId: string, purgeAt: number, now: number): Promise<void> {
    // A bounded clean-up on each sign-in keeps the table to what may still be named.
    await this.c.q('DELETE FROM provider_sessions WHERE ctid IN (SELECT ctid FROM provider_sessions WHERE purge_at <= $1 LIMIT 100)', [now]);
    await this.c.q(
      'INSERT INTO provider_sessions (issuer, sid, session_id, purge_at) VALUES ($1, $2, $3, $4) ON CONFLICT (issuer, sid, session_id) DO UPDATE SET purge_at = EXCLUDED.purge_at',
      [issuer, sid, sessionId, purgeAt],
    );
  }

  async providerSessions(issuer: string, sid: string, now: number): Promise<string[]> {
    return (await this.c.q<{ session_id: string }>('SELECT session_id FROM provider_sessions WHERE issuer = $1 AND sid = $2 AND purge_at > $3', [issuer, sid, now])).rows.map((r) => r.session_id);
  }
}
