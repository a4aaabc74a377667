import { describe, expect, it } from 'vitest';
import { humanDuration, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it('reads every unit the SPEC names', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('12h')).toBe(43_200_000);
    expect(parseDuration('30d')).toBe(2_592_000_000);
    expect(parseDuration('0')).toBe(0);
  });
  it('refuses what is not a duration', () => {
    for (const bad of ['', '30', 'm', '-5m', '5 minutes', '1e3s', '30M', '99999999999999999999d']) expect(parseDuration(bad)).toBeNull();
  });
});

describe('humanDuration', () => {
  it('uses the largest whole unit', () => {
    expect(humanDuration(1_800_000)).toBe('30 minutes');
    expect(humanDuration(43_200_000)).toBe('12 hours');
    expect(humanDuration(86_400_000)).toBe('1 day');
    expect(humanDuration(90_000)).toBe('90 seconds');
    expect(humanDuration(1000)).toBe('1 second');
  });
});
