/**
 * The key layout. Everything of one user (record, sessions, their index, trusted devices) sits
 * under the hash tag `{u:<userId>}`, which comes first in braces so Cluster hashes only it: each
 * multi-key step is one Lua script on the one shard holding that user. A session or device id
 * finds its user through a small pointer key that expires with the record. The only global keys:
 * `due`, the audit stream, counters, signing keys, app keys and settings.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  tag(userId: string): string {
    return `${this.prefix}:{u:${userId}}`;
  }
  user(userId: string): string {
    return `${this.tag(userId)}:user`;
  }
  email(email: string): string {
    return `${this.prefix}:email:${email}`;
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
  get layout(): string {
    return `${this.prefix}:layout`;
  }
}
