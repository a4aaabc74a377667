import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../harness.ts';

const DOC = join(ROOT, 'docs/security.md');
const PREFIXES: Record<string, string> = { 'api/': 'e2e/api/', 'token/': 'e2e/token/', 'browser/': 'e2e/browser/', 'security/': 'e2e/security/', 'multinode/': 'e2e/multinode/', 'core/': 'packages/core/src/', 'oidc/': 'e2e/oidc/' };

const resolve = (ref: string) => {
  const prefix = Object.keys(PREFIXES).find((p) => ref.startsWith(p));
  return prefix ? PREFIXES[prefix] + ref.slice(prefix.length) : ref;
};

/**
 * `file › test name` references in docs/security.md, including the `› other name` shorthand for
 * the same file. An ellipsis in a name stands for elided words.
 */
function references(doc: string): { file: string; name: string }[] {
  const refs: { file: string; name: string }[] = [];
  for (const line of doc.split('\n')) {
    let file: string | null = null;
    for (const [, span] of line.matchAll(/`([^`]+)`/g)) {
      const full = /^(\S+\.test\.tsx?) › (.+)$/.exec(span!);
      const short = /^› (.+)$/.exec(span!);
      if (full) refs.push({ file: (file = resolve(full[1]!)), name: full[2]! });
      else if (short && file) refs.push({ file, name: short[1]! });
    }
  }
  return refs;
}

describe('docs/security.md', () => {
  const doc = readFileSync(DOC, 'utf8');

  it('names only tests that exist, in files that exist', () => {
    const refs = references(doc);
    expect(refs.length).toBeGreaterThan(40);
    const missing: string[] = [];
    for (const { file, name } of refs) {
      const path = join(ROOT, file);
      if (!existsSync(path)) {
        missing.push(`${file} (no such file)`);
        continue;
      }
      // Test names may sit in template literals or contain quotes: compare the words.
      const source = readFileSync(path, 'utf8').replace(/\\'/g, "'");
      let at = 0;
      for (const part of name.split('…').map((p) => p.trim()).filter(Boolean)) {
        const i = source.indexOf(part, at);
        if (i < 0) {
          missing.push(`${file} › ${name} (no "${part}")`);
          break;
        }
        at = i + part.length;
      }
    }
    expect(missing).toEqual([]);
  });

  it('names only source files that exist', () => {
    const paths = [...doc.matchAll(/`((?:packages|e2e|docs)\/[\w./-]+\.(?:ts|tsx|md))`/g)].map((m) => m[1]!);
    expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  it('marks every row with a status', () => {
    const rows = doc.split('\n').filter((l) => /^\| \d+\.\d+\.\d+/.test(l) && !l.includes('| Requirement |'));
    expect(rows.length).toBeGreaterThan(30);
    for (const row of rows) expect(row, row).toMatch(/\| (✅|n\/a|⏳)[^|]*\|/);
  });
});
