import type { Clock } from './clock.ts';
import { SessiondError } from './errors.ts';
import type { AppKeyStore, EventLog } from './store.ts';
import { constantTimeEqual, hashSecret, randomId, randomSecret } from './tokens.ts';
import { TtlCache } from './ttl-cache.ts';
import type { AppKeyRecord, AppKeyScope } from './types.ts';

/** A prefix that tells an app key from an admin token or a session token (and helps secret scanners). */
const SECRET_PREFIX = 'sak_';
/** lastUsedAt is for people ("used 3 days ago"): one store write per key per minute is enough. */
const TOUCH_EVERY_MS = 60_000;
/**
 * A found key is trusted this long without reading the store again. Revocations also drop it at
 * once through the feed; this bounds the delay to 1 s (SPEC §9) when the feed is interrupted.
 */
const CACHE_TTL_MS = 1000;
const CACHE_SIZE = 1000;

/** What an app key looks like on the wire: everything but its hash. */
export type AppKeyView = Omit<AppKeyRecord, 'secretHash'>;

/** App keys: credentials for an app's own backend, each limited to its app and its scopes (SPEC §9). */
export class AppKeys {
  /** By secret hash. */
  private readonly cache = new TtlCache<AppKeyRecord>(CACHE_SIZE, CACHE_TTL_MS);
  private readonly revokedListeners = new Set<(keyId: string) => void>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: AppKeyStore & EventLog,
    private readonly clock: Clock,
  ) {
    // A key revoked on any node stops working here too, at once.
    this.unsubscribe = store.subscribe((e) => {
      if (e.type !== 'app_key.revoked' || typeof e.data.keyId !== 'string') return;
      this.forget(e.data.keyId);
    });
  }

  close(): void {
    this.unsubscribe();
    this.cache.clear();
  }

  static isAppKeySecret(secret: string): boolean {
    return secret.startsWith(SECRET_PREFIX);
  }

  /** The secret is returned once and never stored: only its SHA-256 (a 256-bit random secret needs no slow hash). */
  async create(app: string, label: string, scopes: AppKeyScope[]): Promise<{ key: AppKeyView; secret: string }> {
    const secret = SECRET_PREFIX + randomSecret();
    const key: AppKeyRecord = { id: randomId(), app, label, scopes: [...new Set(scopes)], secretHash: hashSecret(secret), createdAt: this.clock.now(), lastUsedAt: null };
    await this.store.createAppKey(key);
    await this.store.recordEvent({ type: 'app_key.created', at: key.createdAt, userId: null, sessionId: null, ip: null, reason: null, data: { app, keyId: key.id, label, scopes: key.scopes } });
    return { key: viewOfKey(key), secret };
  }

  async list(app: string): Promise<AppKeyView[]> {
    return (await this.store.listAppKeys(app)).map(viewOfKey);
  }

  async revoke(app: string, id: string): Promise<void> {
    if (!(await this.store.deleteAppKey(app, id))) throw new SessiondError('not_found.app_key');
    this.forget(id);
    await this.store.recordEvent({ type: 'app_key.revoked', at: this.clock.now(), userId: null, sessionId: null, ip: null, reason: null, data: { app, keyId: id } });
  }

  /** The key this secret belongs to, or null. */
  async authenticate(secret: string): Promise<AppKeyRecord | null> {
    if (!AppKeys.isAppKeySecret(secret)) return null;
    const hash = hashSecret(secret);
    const now = this.clock.now();
    let key = this.cache.get(hash, now) ?? null;
    if (!key) {
      key = await this.store.findAppKeyByHash(hash);
      if (!key) return null;
      this.cache.set(hash, key, now);
    }
    // The store found it by hash; comparing again in constant time keeps that lookup from being the only check.
    if (!constantTimeEqual(hash, key.secretHash)) return null;
    if (key.lastUsedAt === null || now - key.lastUsedAt >= TOUCH_EVERY_MS) {
      key.lastUsedAt = now;
      // Bookkeeping only: a failed write must not fail the request.
      void this.store.touchAppKey(key.id, now).catch(() => {});
    }
    return key;
  }

  /** Called with the key's id whenever a key is revoked on any node (open feeds close). */
  onRevoked(listener: (keyId: string) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  private forget(keyId: string): void {
    this.cache.deleteWhere((key) => key.id === keyId);
    for (const l of this.revokedListeners) l(keyId);
  }
}

function viewOfKey({ secretHash: _hash, ...view }: AppKeyRecord): AppKeyView {
  return view;
}
