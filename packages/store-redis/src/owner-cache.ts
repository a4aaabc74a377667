import type { RedisConnection } from './connection.ts';

// Session id → user id never changes, so remembered answers cannot go stale; bounded for memory
// (about 100 bytes an entry). A session this node has not seen lately costs one more round trip.
const OWNER_CACHE_MAX = 100_000;

/** Which user a session belongs to, through its pointer key, remembered least-recently-used. */
export class OwnerCache {
  private readonly owners = new Map<string, string>();

  constructor(private readonly c: RedisConnection) {}

  /** The user a session belongs to, or null when its pointer has expired (so has the session). */
  async ownerOf(id: string): Promise<string | null> {
    const known = this.owners.get(id);
    if (known !== undefined) {
      // Least recently used goes first: the sessions in use stay one round trip away.
      this.owners.delete(id);
      this.owners.set(id, known);
      return known;
    }
    const owner = await this.c.call(() => this.c.redis.get(this.c.k.sessionOwner(id)));
    if (owner !== null) this.remember(id, owner);
    return owner;
  }

  remember(id: string, userId: string): void {
    if (this.owners.size >= OWNER_CACHE_MAX) this.owners.delete(this.owners.keys().next().value!);
    this.owners.set(id, userId);
  }
}
