import type { Clock } from './clock.ts';
import type { DeviceStore, EventLog } from './store.ts';
import { formatToken, hashSecret, parseToken, randomId, randomSecret, secretMatches } from './tokens.ts';
import type { TrustedDeviceRecord } from './types.ts';

/** Why every trust of an account ended at once (`devices.untrusted`, data.cause). */
export type UntrustCause = 'totp_enabled' | 'password_changed' | 'account_disabled';

/**
 * "Keep me signed in" marks the browser as a trusted device: a long-lived cookie of its own
 * (hashed at rest). Later sign-ins from it skip the second factor until it expires, but only when
 * a second factor was checked on it (`secondFactorAt`).
 */
export class TrustedDevices {
  constructor(
    private readonly store: DeviceStore & EventLog,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly maxPerUser: number,
  ) {}

  /** The user's device that this cookie proves, if any. */
  async recognise(userId: string, deviceToken: string | null | undefined): Promise<TrustedDeviceRecord | null> {
    const parsed = deviceToken ? parseToken(deviceToken) : null;
    if (!parsed) return null;
    const device = await this.store.findTrustedDevice(parsed.id);
    if (!device || device.userId !== userId || device.expiresAt <= this.clock.now()) return null;
    return secretMatches(parsed.secret, device.secretHash) ? device : null;
  }

  /**
   * Reuses the recognised device or creates one; returns a new cookie value when one was created.
   * `secondFactor`: this sign-in checked one, so the device may stand in for it from now on.
   * Null when the account is at the ceiling and only devices with a second factor could give way:
   * the session goes on without a trusted device rather than push out a stronger one.
   */
  async trust(userId: string, label: string, existing: TrustedDeviceRecord | null, secondFactor: boolean): Promise<{ device: TrustedDeviceRecord; token: string | null } | null> {
    const now = this.clock.now();
    if (existing) {
      const patch = { lastUsedAt: now, label, ...(secondFactor ? { secondFactorAt: now } : {}) };
      await this.store.updateTrustedDevice(existing.id, patch);
      return { device: { ...existing, ...patch }, token: null };
    }
    const evict = this.toEvict(await this.list(userId), secondFactor);
    if (!evict) return null;
    const secret = randomSecret();
    const device: TrustedDeviceRecord = {
      id: randomId(),
      userId,
      secretHash: hashSecret(secret),
      label,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + this.ttlMs,
      secondFactorAt: secondFactor ? now : null,
    };
    await this.store.createTrustedDevice(device);
    // The person's own activity lists trust given as well as trust taken away.
    await this.store.recordEvent({ type: 'device.trusted', at: now, userId, sessionId: null, ip: null, reason: null, data: { deviceId: device.id, device: label } });
    for (const d of evict) await this.evict(d);
    return { device, token: formatToken(device.id, secret) };
  }

  /**
   * The least recently used of the user's devices give way beyond the ceiling, so sign-ins
   * cannot grow the store without bound. Their sessions go on: the session ceiling bounds those.
   * A device without a second factor never pushes out one with (null: no room for it). Not
   * atomic: parallel sign-ins may briefly overshoot, and the next one trims back.
   */
  private toEvict(existing: TrustedDeviceRecord[], secondFactor: boolean): TrustedDeviceRecord[] | null {
    const excess = existing.length + 1 - this.maxPerUser;
    if (excess <= 0) return [];
    const candidates = existing.filter((d) => secondFactor || d.secondFactorAt == null);
    // Weaker ones first, then the least recently used.
    candidates.sort((a, b) => Number(a.secondFactorAt != null) - Number(b.secondFactorAt != null) || a.lastUsedAt - b.lastUsedAt || a.createdAt - b.createdAt);
    return candidates.length >= excess ? candidates.slice(0, excess) : null;
  }

  private async evict(d: TrustedDeviceRecord): Promise<void> {
    if (!(await this.remove(d.userId, d.id))) return;
    await this.store.recordEvent({
      type: 'device.removed',
      at: this.clock.now(),
      userId: d.userId,
      sessionId: null,
      ip: null,
      reason: null,
      data: { deviceId: d.id, cause: 'device_limit', limit: this.maxPerUser },
    });
  }

  list(userId: string): Promise<TrustedDeviceRecord[]> {
    return this.store.listTrustedDevices(userId, this.clock.now());
  }

  remove(userId: string, id: string): Promise<boolean> {
    return this.store.deleteTrustedDevice(userId, id);
  }

  /**
   * Ends every trust of the account when what the trust rested on changed: a browser trusted
   * before must prove the new factor (or password) again. Expired devices are already powerless.
   * Recorded as one `devices.untrusted` event when there was anything to end.
   */
  async untrustAll(userId: string, cause: UntrustCause): Promise<number> {
    const removed: string[] = [];
    for (const d of await this.list(userId)) if (await this.remove(userId, d.id)) removed.push(d.id);
    if (removed.length > 0) {
      await this.store.recordEvent({ type: 'devices.untrusted', at: this.clock.now(), userId, sessionId: null, ip: null, reason: null, data: { cause, deviceIds: removed } });
    }
    return removed.length;
  }
}
