import { parseDuration } from './duration.ts';

/** The domain's only source of time, so tests move it instead of sleeping. */
export interface Clock {
  now(): number;
  /** Runs `fn` once, `ms` from now on this clock's time line; returns the cancel. */
  after(ms: number, fn: () => void): () => void;
}

/** setTimeout takes at most a signed 32-bit delay; a longer wait fires early and is re-armed by its caller. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, Math.min(MAX_TIMEOUT_MS, Math.max(0, ms)));
    return () => clearTimeout(timer);
  },
};

/** A clock tests move by hand: `clock.advance('31m')` also fires the timers that fell due, in order. */
export class ManualClock implements Clock {
  private t: number;
  private timers: { at: number; fn: () => void }[] = [];
  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.t = typeof start === 'number' ? start : start.getTime();
  }
  now(): number {
    return this.t;
  }
  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + Math.max(0, ms), fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }
  advance(by: string | number): void {
    const ms = typeof by === 'number' ? by : parseDuration(by);
    if (ms === null) throw new Error(`bad duration ${by}`);
    this.set(this.t + ms);
  }
  set(t: number): void {
    // Each due timer runs with the clock at its own time, so one it schedules may fall due too.
    for (;;) {
      const due = this.timers.filter((x) => x.at <= t).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = t;
  }
}
