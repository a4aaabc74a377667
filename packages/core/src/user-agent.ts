import UAParser from 'ua-parser-js';
import type { DeviceInfo } from './types.ts';

// macOS reads better than "Mac OS" in a device list.
const OS_NAMES: Record<string, string> = { 'Mac OS': 'macOS', 'Chromium OS': 'ChromeOS' };
const BROWSER_NAMES: Record<string, string> = { 'Mobile Safari': 'Safari', 'Chrome Headless': 'Chrome', 'Chrome WebView': 'Chrome' };

/** "Chrome on macOS" and a device type from a User-Agent (ua-parser-js 1.x, MIT). */
export function parseDevice(userAgent: string | undefined | null): DeviceInfo {
  const ua = (userAgent ?? '').slice(0, 512);
  if (!ua) return { browser: null, os: null, type: 'other', label: 'Unknown device', userAgent: '' };
  const r = new UAParser(ua).getResult();
  const browser = r.browser.name ? (BROWSER_NAMES[r.browser.name] ?? r.browser.name) : null;
  const os = r.os.name ? (OS_NAMES[r.os.name] ?? r.os.name) : null;
  const t = r.device.type;
  const type: DeviceInfo['type'] = t === 'mobile' ? 'mobile' : t === 'tablet' ? 'tablet' : t ? 'other' : os || browser ? 'desktop' : 'other';
  const label = browser && os ? `${browser} on ${os}` : browser ?? os ?? (ua.length > 40 ? `${ua.slice(0, 40)}…` : ua);
  return { browser, os, type, label, userAgent: ua };
}

/** A browser-family or OS change; a version update is not a change. */
export function deviceChanged(a: DeviceInfo, b: DeviceInfo): boolean {
  return a.browser !== b.browser || a.os !== b.os;
}
