import { BROWSER_CAUSE_MESSAGES } from '@sessiond/sdk';
import { useEffect, useState } from 'react';
import { withBase } from '../base-path.ts';

export interface SsoProvider {
  name: string;
  label: string;
  startUrl: string;
}

/** The identity providers the server trusts (SPEC §15); none until known, and none if it cannot say. */
export function useSsoProviders(): SsoProvider[] {
  const [providers, setProviders] = useState<SsoProvider[]>([]);
  useEffect(() => {
    let live = true;
    fetch(withBase('/v1/oidc/providers'), { credentials: 'same-origin' })
      .then((r) => (r.ok ? (r.json() as Promise<{ providers: SsoProvider[] }>) : { providers: [] }))
      .then((body) => live && setProviders(body.providers))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
  return providers;
}

/**
 * What the sign-in page says when the provider sent the person back without a sign-in
 * (`?sso=cancelled|failed|cookies_blocked&provider=<name>`, set by the callback). The cause stays
 * in the server's log. `cookies_blocked`: the callback got no cookie of this site back, not even
 * the sign-in's own, so trying again would only loop; it is said as a password sign-in says it,
 * with the steps (`ssoCookiesBlocked`).
 */
export function ssoOutcomeMessage(outcome: string | null, providerName: string | null, providers: SsoProvider[]): string | null {
  if (ssoCookiesBlocked(outcome)) return BROWSER_CAUSE_MESSAGES.cookies_blocked;
  if (outcome !== 'cancelled' && outcome !== 'failed') return null;
  const label = providers.find((p) => p.name === providerName)?.label;
  const at = label ? `with ${label}` : "with your organisation's sign-in";
  return outcome === 'cancelled'
    ? `You cancelled the sign-in ${at}. Try it again, or sign in with your email and password.`
    : `The sign-in ${at} could not be completed. Please try again; if it keeps happening, ask your organisation's IT support.`;
}

/** `?sso=cookies_blocked`: the sign-in page shows the browser steps of the `cookies_blocked` cause. */
export const ssoCookiesBlocked = (outcome: string | null): outcome is 'cookies_blocked' => outcome === 'cookies_blocked';

/**
 * What the page that asked for a step-up says when the provider sent the person back without
 * confirming them (`?stepup=cancelled|failed`, set by the callback). They are still signed in, and
 * what they were doing was not done.
 */
export function stepUpOutcomeMessage(outcome: string | null, label: string | null): string | null {
  if (outcome !== 'cancelled' && outcome !== 'failed') return null;
  const at = `with ${label ?? "your organisation's sign-in"}`;
  return outcome === 'cancelled'
    ? `You cancelled the confirmation ${at}; nothing was changed.`
    : `The confirmation ${at} could not be completed; nothing was changed. Please try again.`;
}

/**
 * "Sign in with <label>" for each provider. Plain links: the sign-in is a top-level navigation to
 * the provider and back, never a script holding its tokens.
 */
export function SsoButtons({ providers, next }: { providers: SsoProvider[]; next: string }) {
  if (providers.length === 0) return null;
  return (
    <div className="sso-buttons">
      <p className="muted small sso-or">or</p>
      {providers.map((p) => (
        <a key={p.name} className="button button-secondary sso-button" href={`${p.startUrl.startsWith('/') ? withBase(p.startUrl) : p.startUrl}?${new URLSearchParams({ next })}`}>
          Sign in with {p.label}
        </a>
      ))}
    </div>
  );
}

/**
 * Step-up for a session that came from a provider: it has no password here, so the fresh sign-in
 * is at the provider (`reauth=1` makes it ask again), and the person comes back to `next`.
 */
export function ConfirmAtProvider({ sso, purpose, next, onCancel }: { sso: { provider: string; label: string }; purpose: string; next: string; onCancel: () => void }) {
  return (
    <div className="card reauth">
      <p>
        For your security, confirm it is you at {sso.label} to {purpose}; then try again.
      </p>
      <div className="actions">
        <a className="button button-primary" href={withBase(`/v1/oidc/${encodeURIComponent(sso.provider)}/start?${new URLSearchParams({ reauth: '1', next: withBase(next) })}`)}>
          Confirm with {sso.label}
        </a>
        <button type="button" className="button button-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
