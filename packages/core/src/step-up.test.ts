import { describe, expect, it } from 'vitest';
import { SessiondError } from './errors.ts';
import { requireFresh } from './step-up.ts';

const WINDOW = 10 * 60_000;
const reason = (f: () => void): string | null => {
  try {
    f();
    return null;
  } catch (e) {
    return e instanceof SessiondError ? e.key : String(e);
  }
};

describe('requireFresh (step-up)', () => {
  const signedIn = { appKeyId: null, createdAt: 1_000, authenticatedAt: 1_000 };

  it('lets a session through up to the freshness window after its last authentication, not a moment later', () => {
    expect(reason(() => requireFresh(signedIn, WINDOW, 1_000 + WINDOW))).toBeNull();
    expect(reason(() => requireFresh(signedIn, WINDOW, 1_000 + WINDOW + 1))).toBe('reauth_required');
  });

  it('tells when the person last authenticated and the window', () => {
    try {
      requireFresh(signedIn, WINDOW, 1_000 + WINDOW + 1);
      expect.unreachable();
    } catch (e) {
      expect((e as SessiondError).details).toEqual({ authenticatedAt: new Date(1_000).toISOString(), freshnessMs: WINDOW });
    }
  });

  it("an app key's session is never fresh until the person re-authenticates here", () => {
    const vouched = { appKeyId: 'key-1', createdAt: 1_000, authenticatedAt: 1_000 };
    expect(reason(() => requireFresh(vouched, WINDOW, 1_001))).toBe('reauth_required');
    expect(reason(() => requireFresh({ ...vouched, authenticatedAt: 2_000 }, WINDOW, 2_001))).toBeNull();
  });
});
