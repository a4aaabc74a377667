import { describe, expect, it } from 'vitest';
import { announcement, formatCountdown, liveAnnouncement, notificationText, timeLeftInWords } from './countdown.ts';

describe('countdown', () => {
  it('formats minutes and seconds', () => {
    expect(formatCountdown(105_000)).toBe('1:45');
    expect(formatCountdown(9_100)).toBe('0:10');
    expect(formatCountdown(-5)).toBe('0:00');
  });
  it('says the same time as the visible countdown, rounded down to 10 s', () => {
    expect(timeLeftInWords(120_000)).toBe('2 minutes');
    expect(timeLeftInWords(118_500)).toBe('1 minute 50 seconds'); // shows 1:59
    expect(timeLeftInWords(60_000)).toBe('1 minute');
    expect(timeLeftInWords(39_000)).toBe('30 seconds');
    expect(timeLeftInWords(9_000)).toBe('less than 10 seconds'); // shows 0:09, not "20 seconds"
    expect(timeLeftInWords(-1)).toBe('less than 10 seconds');
    expect(announcement(20_000)).toBe('For your security, you will be signed out in 20 seconds.');
  });
  it('speaks on change of minute, then every 10 s', () => {
    expect(liveAnnouncement(119_000)).toBe('For your security, you will be signed out in 1 minute.');
    expect(liveAnnouncement(61_000)).toBe('For your security, you will be signed out in 1 minute.');
    expect(liveAnnouncement(59_000)).toBe('For your security, you will be signed out in 50 seconds.');
    expect(liveAnnouncement(9_000)).toBe('For your security, you will be signed out in less than 10 seconds.');
  });
  it('words the notification with the real remaining time', () => {
    expect(notificationText(120_000)).toBe("You'll be signed out in 2 minutes — click to stay signed in");
  });
});
