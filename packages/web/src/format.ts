/** Dates in the viewer's own locale and time zone (undefined locale = the browser's). */
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

export function formatTime(ms: number): string {
  return time.format(new Date(ms));
}

/** "Active now", "5 minutes ago", "yesterday"… */
export function formatLastActive(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (seconds > -120) return 'Active now';
  const steps: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['minute', 60],
    ['hour', 3600],
    ['day', 86400],
  ];
  let unit: Intl.RelativeTimeFormatUnit = 'minute';
  let size = 60;
  for (const [u, s] of steps) if (-seconds >= s) [unit, size] = [u, s];
  return relative.format(Math.round(seconds / size), unit);
}

const regions = new Intl.DisplayNames(undefined, { type: 'region' });

function countryName(code: string | null): string | null {
  try {
    return code ? (regions.of(code) ?? code) : null;
  } catch {
    return code; // Not an ISO 3166 code: show it as given.
  }
}

/** "London, United Kingdom" (the region only when there is no city); the database is approximate. */
export function formatLocation(l: { city: string | null; region: string | null; country: string | null } | null): string {
  const parts = l ? [l.city ?? l.region, countryName(l.country)].filter((p): p is string => !!p) : [];
  return parts.length ? parts.join(', ') : 'Unknown location';
}
