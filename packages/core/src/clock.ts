import { parseDuration } from './duration.ts';

/** The domain's only source of time, so tests move it instead of sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand: `clock.advance('31m')`. */
export class ManualClock implements Clock {
  private t: number;
  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.t = typeof start === 'number' ? start : start.getTime();
  }
  now(): number {
    return this.t;
  }
  advance(by: string | number): void {
    const ms = typeof by === 'number' ? by : parseDuration(by);
    if (ms === null) throw new Error(`bad duration ${by}`);
    this.t += ms;
  }
  set(t: number): void {
    this.t = t;
  }
}
