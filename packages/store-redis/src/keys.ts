/**
 * The key layout. Everything of one user (record, sessions, their index, trusted devices) sits
 * under the hash tag `{u:<userId>}`, which comes first in braces so Cluster hashes only it: each
 * multi-key step is one Lua script on the one shard holding that user. A session or device id
 * finds its user through a small pointer key that expires with the record. The only global keys:
 * `due`, the audit stream, counters, signing keys, app keys, settings, webhooks and the webhook
 * delivery queue (on the audit stream's slot, see `deliveries`), and identity-provider links and provider sessions (each
 * one key, hashed from names a provider chose).
 */
export class RedisKeys {
  constructor(readonly prefix: string) {
    // Here, not only in parseRedisUrl: every store is built through this, whatever gave the prefix.
    const problem = prefixProblem(prefix);
    if (problem) throw new Error(`Redis key prefix ${problem}`);
  }

  tag(userId: string): string {
    return `${this.prefix}:{u:${userId}}`;
  }
  user(userId: string): string {
    return `${this.tag(userId)}:user`;
  }
  email(email: string): string {
    return `${this.prefix}:email:${email}`;
  }
  externalId(externalId: string): string {
    return `${this.prefix}:xid:${externalId}`;
  }
  sessionPrefix(userId: string): string {
    return `${this.tag(userId)}:s:`;
  }
  session(userId: string, id: string): string {
    return this.sessionPrefix(userId) + id;
  }
  /** A session's own data (SPEC §13): beside its record, under the same user's tag. */
  sessionData(userId: string, id: string): string {
    return `${this.tag(userId)}:data:${id}`;
  }
  userIndex(userId: string): string {
    return `${this.tag(userId)}:sessions`;
  }
  sessionOwner(id: string): string {
    return `${this.prefix}:sid:${id}`;
  }
  device(userId: string, id: string): string {
    return `${this.tag(userId)}:d:${id}`;
  }
  userDevices(userId: string): string {
    return `${this.tag(userId)}:devices`;
  }
  deviceOwner(id: string): string {
    return `${this.prefix}:did:${id}`;
  }
  counter(key: string): string {
    return `${this.prefix}:c:${key}`;
  }
  /** One hash holds every app key: `id:<id>` the record, `h:<secret hash>` its id, `u:<id>` lastUsedAt. */
  get appKeys(): string {
    return `${this.prefix}:appkeys`;
  }
  get signingKeys(): string {
    return `${this.prefix}:keys`;
  }
  /** One hash of the settings every node agrees on (see `SettingStore`). */
  get settings(): string {
    return `${this.prefix}:settings`;
  }
  /** An identity-provider account's link to a user; `digest` hashes (issuer, subject). */
  identity(digest: string): string {
    return `${this.prefix}:idp:${digest}`;
  }
  /** A sorted set of our session ids in one provider session (score: purgeAt); `digest` hashes (issuer, sid). */
  providerSession(digest: string): string {
    return `${this.prefix}:psid:${digest}`;
  }
  /** Users by their earliest deadline, so sweeping follows what expires (see due.ts). */
  get due(): string {
    return `${this.prefix}:due`;
  }
  get events(): string {
    return `${this.prefix}:events`;
  }
  get channel(): string {
    return `${this.prefix}:events:pub`;
  }
  /** Registered webhooks, one hash by id. */
  get webhooks(): string {
    return `${this.prefix}:webhooks`;
  }
  /**
   * The prefix of every delivery-queue key, on the audit stream's slot: recording an event queues
   * its deliveries in the same script, and Cluster runs a script on one slot only. A prefix with a
   * hash tag puts every key there already; otherwise the tag is the stream's whole name, which
   * Cluster hashes to the same slot as the stream's key.
   */
  get deliveries(): string {
    return hashTag(this.events) === null ? `${this.prefix}:wh:{${this.events}}:` : `${this.prefix}:wh:`;
  }
  /** Where the queue was before it moved to the stream's slot (layout 3): its own `{wh}` tag. */
  get formerDeliveries(): string {
    return `${this.prefix}:{wh}:`;
  }
  get layout(): string {
    return `${this.prefix}:layout`;
  }
}

/** Cluster's hash tag of a key: what is between its first `{` and the next `}`, if not empty. */
export function hashTag(key: string): string | null {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : null;
}

/**
 * Why `prefix` cannot be a key prefix, or null. The delivery queue's keys take the audit stream's
 * slot by a hash tag (`deliveries`): braces in the prefix that are not one would break that.
 */
export function prefixProblem(prefix: string): string | null {
  return /[{}]/.test(prefix) && hashTag(prefix) === null ? `"${prefix}" has braces that are not a hash tag ({name})` : null;
}
