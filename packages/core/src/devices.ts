import type { Clock } from './clock.ts';
import type { Store } from './store.ts';
import { formatToken, hashSecret, parseToken, randomId, randomSecret, secretMatches } from './tokens.ts';
import type { TrustedDeviceRecord } from './types.ts';

/**
 * "Keep me signed in" marks the browser as a trusted device: a long-lived cookie of its own
 * (hashed at rest) that lets later sign-ins from it skip the second factor until it expires.
 */
export class TrustedDevices {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** The user's device that this cookie proves, if any. */
  async recognise(userId: string, deviceToken: string | null | undefined): Promise<TrustedDeviceRecord | null> {
    const parsed = deviceToken ? parseToken(deviceToken) : null;
    if (!parsed) return null;
    const device = await this.store.findTrustedDevice(parsed.id);
    if (!device || device.userId !== userId || device.expiresAt <= this.clock.now()) return null;
    return secretMatches(parsed.secret, device.secretHash) ? device : null;
  }

  /** Reuses the recognised device or creates one; returns a new cookie value when one was created. */
  async trust(userId: string, label: string, existing: TrustedDeviceRecord | null): Promise<{ device: TrustedDeviceRecord; token: string | null }> {
    const now = this.clock.now();
    if (existing) {
      await this.store.updateTrustedDevice(existing.id, { lastUsedAt: now, label });
      return { device: { ...existing, lastUsedAt: now, label }, token: null };
    }
    const secret = randomSecret();
    const device: TrustedDeviceRecord = {
      id: randomId(),
      userId,
      secretHash: hashSecret(secret),
      label,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + this.ttlMs,
    };
    await this.store.createTrustedDevice(device);
    return { device, token: formatToken(device.id, secret) };
  }

  list(userId: string): Promise<TrustedDeviceRecord[]> {
    return this.store.listTrustedDevices(userId, this.clock.now());
  }

  remove(userId: string, id: string): Promise<boolean> {
    return this.store.deleteTrustedDevice(userId, id);
  }
}
