/**
 * Orders event ids of any store: decimal integers (SQLite, PostgreSQL, memory) or Redis stream
 * ids (`<ms>-<seq>`), compared part by part as numbers.
 */
export function compareEventIds(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('-').map(Number);
  const [b1 = 0, b2 = 0] = b.split('-').map(Number);
  return a1 - b1 || a2 - b2;
}
