import { useEffect, useState } from 'react';
import { withBase } from '../base-path.ts';

interface Provider {
  name: string;
  label: string;
  startUrl: string;
}

/**
 * "Sign in with <label>" for each identity provider the server trusts (SPEC §15). Plain links: the
 * sign-in is a top-level navigation to the provider and back, never a script holding its tokens.
 */
export function SsoButtons({ next }: { next: string }) {
  const [providers, setProviders] = useState<Provider[]>([]);
  useEffect(() => {
    let live = true;
    fetch(withBase('/v1/oidc/providers'), { credentials: 'same-origin' })
      .then((r) => (r.ok ? (r.json() as Promise<{ providers: Provider[] }>) : { providers: [] }))
      .then((body) => live && setProviders(body.providers))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
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
