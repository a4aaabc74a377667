import { describe, expect, it } from 'vitest';
import { readCookie, serializeCookie } from './cookies.ts';

describe('readCookie', () => {
  it('finds the named cookie wherever it stands among others', () => {
    expect(readCookie('sessiond=abc', 'sessiond')).toBe('abc');
    expect(readCookie('_ga=GA1.1.2; sessiond=abc; theme=dark', 'sessiond')).toBe('abc');
    expect(readCookie('theme=dark;sessiond=abc', 'sessiond')).toBe('abc');
    expect(readCookie('theme=dark;\tsessiond=abc ;x=1', 'sessiond')).toBe('abc');
  });

  it('matches the whole name only, never a prefix or a suffix of another', () => {
    expect(readCookie('sessiond_browser=b1; sessiond=abc', 'sessiond')).toBe('abc');
    expect(readCookie('sessiond_browser=b1', 'sessiond')).toBeNull();
    expect(readCookie('xsessiond=evil; sessiond=abc', 'sessiond')).toBe('abc');
    expect(readCookie('a=sessiond=evil', 'sessiond')).toBeNull();
  });

  it('is null for no header, no such cookie, or an empty value', () => {
    expect(readCookie(undefined, 'sessiond')).toBeNull();
    expect(readCookie('', 'sessiond')).toBeNull();
    expect(readCookie('theme=dark', 'sessiond')).toBeNull();
    expect(readCookie('sessiond=; theme=dark', 'sessiond')).toBeNull();
    expect(readCookie('sessiond', 'sessiond')).toBeNull();
    expect(readCookie(';;  ;', 'sessiond')).toBeNull();
  });

  it('takes the first of repeated cookies, as before', () => {
    expect(readCookie('sessiond=first; sessiond=second', 'sessiond')).toBe('first');
  });

  it('reads back what serializeCookie writes', () => {
    const line = serializeCookie('__Host-sessiond', 'v.1', { secure: true, maxAge: 60 });
    expect(readCookie(line.split('; ')[0], '__Host-sessiond')).toBe('v.1');
  });
});
