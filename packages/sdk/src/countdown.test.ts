import { describe, expect, it } from 'vitest';
import { announcement, formatCountdown } from './countdown.ts';

describe('countdown', () => {
  it('formats minutes and seconds', () => {
    expect(formatCountdown(105_000)).toBe('1:45');
    expect(formatCountdown(9_100)).toBe('0:10');
    expect(formatCountdown(-5)).toBe('0:00');
  });
  it('announces in minutes, then 20-second steps', () => {
    expect(announcement(119_000)).toBe('For your security, you will be signed out in 2 minutes.');
    expect(announcement(60_000)).toBe('For your security, you will be signed out in 1 minute.');
    expect(announcement(41_000)).toBe('For your security, you will be signed out in 1 minute.');
    expect(announcement(39_000)).toBe('For your security, you will be signed out in 40 seconds.');
    expect(announcement(5_000)).toBe('For your security, you will be signed out in 20 seconds.');
  });
});
