import { isIPv4, isIPv6 } from 'node:net';

/** Expands an IPv6 address to 8 groups of 4 hex digits; handles embedded IPv4 and zone ids. */
function expandIPv6(ip: string): string[] | null {
  let addr = ip.split('%')[0]!.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
  if (v4) {
    const parts = v4[1]!.split('.').map(Number);
    const hi = ((parts[0]! << 8) | parts[1]!).toString(16);
    const lo = ((parts[2]! << 8) | parts[3]!).toString(16);
    addr = addr.slice(0, -v4[1]!.length) + `${hi}:${lo}`;
  }
  const halves = addr.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...Array<string>(Math.max(0, fill)).fill('0'), ...tail];
  if (groups.length !== 8) return null;
  return groups.map((g) => g.padStart(4, '0'));
}

/** One canonical text per address, so "::ffff:1.2.3.4" and "1.2.3.4" are the same client. */
export function normalizeIp(ip: string | null | undefined): string | null {
  if (!ip) return null;
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return null;
  const g = expandIPv6(ip);
  if (!g) return null;
  if (g.slice(0, 5).every((x) => x === '0000') && g[5] === 'ffff') {
    const n = parseInt(g[6]!, 16);
    const m = parseInt(g[7]!, 16);
    return `${n >> 8}.${n & 255}.${m >> 8}.${m & 255}`;
  }
  return g.join(':');
}

/** The network an address belongs to: IPv4 /24 or IPv6 /`v6Bits` (48 for binding, 64 for throttling). */
export function ipPrefix(ip: string, v6Bits: 48 | 64): string {
  const n = normalizeIp(ip);
  if (!n) return ip;
  if (isIPv4(n)) return n.split('.').slice(0, 3).join('.') + '.0/24';
  return n.split(':').slice(0, v6Bits / 16).join(':') + `::/${v6Bits}`;
}

/** The key that identifies one client for throttling: the address, or its /64 for IPv6. */
export function clientKey(ip: string): string {
  const n = normalizeIp(ip) ?? ip;
  return isIPv4(n) ? n : ipPrefix(n, 64);
}
