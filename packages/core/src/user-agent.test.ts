import { describe, expect, it } from 'vitest';
import { deviceChanged, parseDevice } from './user-agent.ts';

const MAC_CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const MAC_CHROME_NEXT = MAC_CHROME.replace('Chrome/120', 'Chrome/121');
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const IPAD = 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1';
const WIN_FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0';

describe('parseDevice', () => {
  it('labels devices the way people say them', () => {
    expect(parseDevice(MAC_CHROME)).toMatchObject({ label: 'Chrome on macOS', type: 'desktop' });
    expect(parseDevice(IPHONE)).toMatchObject({ label: 'Safari on iOS', type: 'mobile' });
    expect(parseDevice(IPAD)).toMatchObject({ type: 'tablet' });
    expect(parseDevice(WIN_FIREFOX).label).toBe('Firefox on Windows');
    expect(parseDevice('').label).toBe('Unknown device');
    expect(parseDevice('curl/8.4.0').label).toBe('curl/8.4.0');
  });
  it('a browser update is not a device change; another browser is', () => {
    expect(deviceChanged(parseDevice(MAC_CHROME), parseDevice(MAC_CHROME_NEXT))).toBe(false);
    expect(deviceChanged(parseDevice(MAC_CHROME), parseDevice(WIN_FIREFOX))).toBe(true);
  });
});
