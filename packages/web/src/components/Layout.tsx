import { useSession, useSessionClient } from '@sessiond/sdk/react';
import { useState, type ReactNode } from 'react';
import { Link, useLocation } from '../router.tsx';

const NAV = [
  { to: '/demo', label: 'Expense report' },
  { to: '/settings/security/sessions', label: 'Active sessions' },
];

/** Header with the product name, the signed-in pages and "Sign out" (this browser; rows of Active sessions say "Log out"); `main` for the page. */
export function Layout({ children, signedIn = false }: { children: ReactNode; signedIn?: boolean }) {
  const client = useSessionClient();
  const { user, session } = useSession();
  const { pathname } = useLocation();
  const [error, setError] = useState<string | null>(null);

  const logOut = async () => {
    try {
      // An SSO session whose provider should end its own session too: where to go, asked first
      // (after signing out, the question has no session to ask with).
      const endSession = session?.sso
        ? await fetch('/v1/oidc/end-session', { headers: { 'x-sessiond-passive': '1' } })
            .then((r) => (r.ok ? (r.json() as Promise<{ endSessionUrl: string | null }>) : { endSessionUrl: null }))
            .catch(() => ({ endSessionUrl: null }))
        : { endSessionUrl: null };
      // The signed-in area sees the deliberate sign-out and moves to /signed-out.
      await client.signOut();
      if (endSession.endSessionUrl) window.location.assign(endSession.endSessionUrl);
    } catch {
      setError('We could not reach the server to sign you out. Check your connection and try again.');
    }
  };

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to={signedIn ? '/demo' : '/login'} className="brand">
            <span className="brand-mark" aria-hidden="true" />
            sessiond
          </Link>
          {signedIn && (
            <>
              <nav aria-label="Main" className="nav">
                {NAV.map((n) => (
                  <Link key={n.to} to={n.to} className="nav-link" aria-current={pathname === n.to ? 'page' : undefined}>
                    {n.label}
                  </Link>
                ))}
              </nav>
              <div className="account">
                {user && <span className="account-email">{user.email}</span>}
                <button type="button" className="button button-secondary button-small" onClick={() => void logOut()}>
                  Sign out
                </button>
              </div>
            </>
          )}
        </div>
      </header>
      {error && (
        <div className="page-alert notice notice-error" role="alert">
          {error}
        </div>
      )}
      <main id="main" tabIndex={-1} className={signedIn ? 'main' : 'main main-narrow'}>
        {children}
      </main>
    </>
  );
}
