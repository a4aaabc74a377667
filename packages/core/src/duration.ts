const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "500ms", "45s", "30m", "12h", "30d" (also "0") → milliseconds; null when malformed. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) return null;
  const value = Number(m[1]);
  const unit = m[2];
  if (unit === undefined) return value === 0 ? 0 : null;
  const ms = Math.round(value * UNITS[unit]!);
  return Number.isSafeInteger(ms) ? ms : null;
}

/** 3, 'device' → "3 devices". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** 1_800_000 → "30 minutes"; picks the largest unit that divides evenly, for people to read. */
export function humanDuration(ms: number): string {
  if (ms >= 86_400_000 && ms % 86_400_000 === 0) return plural(ms / 86_400_000, 'day');
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return plural(ms / 3_600_000, 'hour');
  if (ms >= 60_000 && ms % 60_000 === 0) return plural(ms / 60_000, 'minute');
  if (ms >= 1000 && ms % 1000 === 0) return plural(ms / 1000, 'second');
  if (ms >= 60_000) return plural(Math.round(ms / 60_000), 'minute');
  return plural(Math.max(1, Math.round(ms / 1000)), 'second');
}
