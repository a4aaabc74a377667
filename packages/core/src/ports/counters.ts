/** Fixed-window counters for throttling. */
export interface Counters {
  /**
   * Adds 1 to the counter (creating it with this TTL when absent) and returns the new value. The
   * window is fixed from the creation: later changes never move it.
   */
  incrementCounter(key: string, ttlMs: number, now: number): Promise<number>;
  /**
   * Takes 1 back from a live counter, never below 0, without moving its window; nothing when the
   * counter is absent or past its TTL. Gives back an attempt reserved before its outcome was known.
   */
  decrementCounter(key: string, now: number): Promise<void>;
  resetCounter(key: string): Promise<void>;
  /** The counter's value, 0 when absent or past its TTL; changes nothing. */
  peekCounter(key: string, now: number): Promise<number>;
}
