import { describe, expect, it } from 'vitest';
import { clientKey, ipPrefix, normalizeIp } from './ip.ts';

describe('IP handling', () => {
  it('treats alternate spellings of one address as one client', () => {
    expect(normalizeIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('2001:DB8::1')).toBe(normalizeIp('2001:0db8:0000:0000:0000:0000:0000:0001'));
    expect(normalizeIp('not an ip')).toBeNull();
  });
  it('throttles an IPv6 /64 as one client', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:db8:1:2:ffff:1:2:3'));
    expect(clientKey('2001:db8:1:3::1')).not.toBe(clientKey('2001:db8:1:2::1'));
    expect(clientKey('192.0.2.1')).not.toBe(clientKey('192.0.2.2'));
  });
  it('binds IPv4 to its /24 and IPv6 to its /48', () => {
    expect(ipPrefix('192.0.2.1', 48)).toBe(ipPrefix('192.0.2.200', 48));
    expect(ipPrefix('192.0.3.1', 48)).not.toBe(ipPrefix('192.0.2.1', 48));
    expect(ipPrefix('2001:db8:1:ffff::1', 48)).toBe(ipPrefix('2001:db8:1::2', 48));
  });
});
