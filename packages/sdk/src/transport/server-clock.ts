/**
 * The server's time as this device sees it. Deadlines (`expiresAt`, `warnAt`, an access token's
 * expiry) are the server's times; a device clock minutes off would warn at the wrong moment, or
 * check a deadline that "passed" long ago over and over. So every answer from sessiond is a
 * reading: its `Date` header says the server's time to the second, somewhere between sending the
 * request and reading the answer. Readings are kept as bounds on `server − device`; each narrows
 * them, and one that contradicts them (the device clock was changed) starts afresh.
 *
 * Cross-origin servers must expose `Date` (`Access-Control-Expose-Headers: Date`); without it the
 * SDK assumes the clocks agree, as it did before.
 */
export class ServerClock {
  private low = -Infinity;
  private high = Infinity;

  constructor(private readonly deviceNow: () => number = () => Date.now()) {}

  /**
   * server − device, in ms: 0 while the readings allow it (a clock in step, or no reading yet), so
   * a device that keeps good time is never "corrected" by a header's whole-second rounding; else the
   * middle of what they allow, within half a second (plus the round trip) of the truth.
   */
  get offsetMs(): number {
    if (!(this.low > 0 || this.high < 0)) return 0;
    return Math.round((this.low + this.high) / 2);
  }

  /** The server's time now. */
  now(): number {
    return this.deviceNow() + this.offsetMs;
  }

  /** A server time, on this device's clock (what timers and `Date.now()` compare with). */
  toDevice(serverMs: number): number {
    return serverMs - this.offsetMs;
  }

  /** The server said it was `serverMs` (± `precisionMs`) at some moment between `sentAt` and `receivedAt` (device times). */
  observe(serverMs: number, precisionMs: number, sentAt: number, receivedAt: number): void {
    const low = serverMs - receivedAt;
    const high = serverMs + precisionMs - sentAt;
    if (low > this.high || high < this.low) {
      this.low = low;
      this.high = high;
      return;
    }
    this.low = Math.max(this.low, low);
    this.high = Math.min(this.high, high);
  }

  /** `fetch` that reads the `Date` header of every answer. */
  wrap(fetchFn: typeof fetch): typeof fetch {
    return async (input, init) => {
      const sentAt = this.deviceNow();
      const res = await fetchFn(input, init);
      const date = Date.parse(res.headers.get('date') ?? '');
      // HTTP dates carry whole seconds: the server's time was within the second after `date`.
      if (Number.isFinite(date)) this.observe(date, 999, sentAt, this.deviceNow());
      return res;
    };
  }
}
