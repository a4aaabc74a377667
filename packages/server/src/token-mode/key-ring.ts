import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { randomId, type Clock, type SigningKeyRecord, type Store } from '@sessiond/core';

interface LoadedKey {
  record: SigningKeyRecord;
  publicKey: CryptoKey;
  privateKey: CryptoKey | null;
}

// Rotation keeps the old public key this much longer than the tokens it signed could live: it
// covers clock skew and a node that learns of the rotation late (at most RELOAD_MS).
const SKEW_MS = 60_000;
// Nodes reload the ring at least this often, in case a `keys.rotated` event never reached them
// (a CLI rotation against SQLite, a lost pub/sub message).
const RELOAD_MS = 30_000;
// An unknown kid is a key another node has just made, or a forgery: the store is read for one at
// most this often, so forged kids cannot turn every request into a store read.
const UNKNOWN_KID_RELOAD_MS = 5_000;

/**
 * Ed25519 signing keys kept in the store, private halves sealed with AES-256-GCM. Every node
 * picks the same active key (newest, then by kid), so nodes agree without coordinating.
 */
export class KeyRing {
  private keys = new Map<string, LoadedKey>();
  private active: LoadedKey | null = null;
  private loadedAt = Number.NEGATIVE_INFINITY;
  // Loads run one after another, so a reload asked for after a rotation always sees it.
  private loads: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly sealingKey: Buffer,
    private readonly accessTokenTtlMs: number,
  ) {}

  private seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.sealingKey, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  private unseal(sealed: string): string {
    const [v, iv, tag, body] = sealed.split('.');
    if (v !== 'v1' || !iv || !tag || !body) throw new Error('unknown sealed key format');
    const d = createDecipheriv('aes-256-gcm', this.sealingKey, Buffer.from(iv, 'base64url'), { authTagLength: 16 }); // never a short tag
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
    } catch {
      // A store from before the key check (or copied from elsewhere) sealed under another key: say
      // what to do, not "unable to authenticate data".
      throw new Error('SESSIOND_KEY_ENCRYPTION_KEY cannot open the signing keys in this store (they were sealed with another key); give this node the key the store was first used with');
    }
  }

  /** Loads every key; creates the first one when there is none. */
  load(): Promise<void> {
    const run = this.loads.then(() => this.loadNow());
    this.loads = run.catch(() => {});
    return run;
  }

  /** A background reload when the last one is older than RELOAD_MS; never blocks a request. */
  private reloadIfStale(): void {
    if (this.clock.now() - this.loadedAt < RELOAD_MS) return;
    this.loadedAt = this.clock.now();
    this.load().catch(() => {});
  }

  private async loadNow(): Promise<void> {
    this.loadedAt = this.clock.now();
    let records = await this.store.listSigningKeys();
    if (!records.some((r) => r.retiredAt === null)) {
      await this.create();
      records = await this.store.listSigningKeys();
    }
    const next = new Map<string, LoadedKey>();
    for (const record of records) {
      const existing = this.keys.get(record.kid);
      const publicKey = existing?.publicKey ?? ((await importJWK(record.publicJwk as JWK, 'EdDSA')) as CryptoKey);
      let privateKey: CryptoKey | null = null;
      if (record.retiredAt === null) {
        privateKey = existing?.privateKey ?? ((await importJWK(JSON.parse(this.unseal(record.privateKeyEncrypted)) as JWK, 'EdDSA')) as CryptoKey);
      }
      next.set(record.kid, { record, publicKey, privateKey });
    }
    this.keys = next;
    const candidates = [...next.values()].filter((k) => k.record.retiredAt === null && k.privateKey);
    candidates.sort((a, b) => b.record.createdAt - a.record.createdAt || (a.record.kid < b.record.kid ? -1 : 1));
    this.active = candidates[0] ?? null;
  }

  private async create(): Promise<SigningKeyRecord> {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = randomId();
    const record: SigningKeyRecord = {
      kid,
      alg: 'EdDSA',
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' },
      privateKeyEncrypted: this.seal(JSON.stringify(await exportJWK(privateKey))),
      createdAt: this.clock.now(),
      retiredAt: null,
      expiresAt: null,
    };
    await this.store.saveSigningKey(record);
    return record;
  }

  /** A new key signs from now on; the old ones verify until every token they signed has expired. */
  async rotate(): Promise<string> {
    const now = this.clock.now();
    // From the store, not memory: another node may have added a key this one has not loaded.
    for (const record of await this.store.listSigningKeys()) {
      if (record.retiredAt === null) await this.store.saveSigningKey({ ...record, retiredAt: now, expiresAt: now + this.accessTokenTtlMs + SKEW_MS });
    }
    const created = await this.create();
    await this.load();
    return created.kid;
  }

  signingKey(): { kid: string; key: CryptoKey } {
    this.reloadIfStale();
    if (!this.active?.privateKey) throw new Error('no active signing key');
    return { kid: this.active.record.kid, key: this.active.privateKey };
  }

  /** The public key of `kid`; one this node does not know first reloads the ring (rate-limited). */
  async verificationKey(kid: string): Promise<CryptoKey | null> {
    const known = this.loadedKey(kid);
    if (known) return known;
    if (this.clock.now() - this.loadedAt >= UNKNOWN_KID_RELOAD_MS) {
      this.loadedAt = this.clock.now();
      this.load().catch(() => {});
    }
    // A reload in flight (this one's or another request's) may bring the kid.
    await this.loads;
    return this.loadedKey(kid);
  }

  private loadedKey(kid: string): CryptoKey | null {
    const k = this.keys.get(kid);
    if (!k || (k.record.expiresAt !== null && k.record.expiresAt <= this.clock.now())) return null;
    return k.publicKey;
  }

  /** The public keys still able to verify a token. */
  jwks(): { keys: Record<string, unknown>[] } {
    this.reloadIfStale();
    const now = this.clock.now();
    return { keys: [...this.keys.values()].filter((k) => k.record.expiresAt === null || k.record.expiresAt > now).map((k) => k.record.publicJwk) };
  }
}
