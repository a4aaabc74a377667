import { useSession, useSessionClient, useSessionEvent } from '@sessiond/sdk/react';
import { useEffect, type ReactNode } from 'react';
import { Layout } from './components/Layout.tsx';
import { SignInAgainDialog } from './components/SignInAgainDialog.tsx';
import { WarningDialog } from './components/WarningDialog.tsx';
import { withBase } from './base-path.ts';
import { navigate, useLocation } from './router.tsx';

/**
 * Pages that need a session. The page stays mounted through an ending and the in-place
 * sign-in, so nothing typed into it is lost; but while its person is not signed in it is covered
 * (SPEC §14): the next person at a shared computer sees only the sign-in, not the form, nor whose
 * it was (the header's email is covered too).
 */
export function SignedInArea({ children }: { children: ReactNode }) {
  const client = useSessionClient();
  const state = useSession();
  const { pathname, search } = useLocation();

  useEffect(() => {
    if (state.status !== 'signed-out') return;
    // A server reason, else what the browser saw (a removed or damaged cookie).
    const reason = state.ending?.reason ?? state.ending?.cause;
    if (state.ending?.byThisBrowser) navigate(`/signed-out${reason ? `?reason=${reason}` : ''}`, { replace: true });
    else navigate(`/login?${new URLSearchParams({ ...(reason ? { reason } : {}), next: withBase(pathname) + search }).toString()}`, { replace: true });
  }, [state.status, state.ending, pathname, search]);

  // Someone else signed in through the dialog: this page holds the previous person's work.
  useSessionEvent('signedIn', (e) => {
    if (!e.sameUser) location.assign(withBase(pathname));
  });

  if (state.status === 'loading') {
    return (
      <Layout>
        <p className="loading" role="status">
          Loading…
        </p>
      </Layout>
    );
  }
  if (state.status === 'signed-out') return null;
  return (
    <>
      <div className={state.covered ? 'page-covered' : undefined} inert={state.covered}>
        <Layout signedIn>{children}</Layout>
      </div>
      {state.status === 'signed-in' && state.warning && state.expiresAt !== null && (
        <WarningDialog key={state.warnAt} expiresAt={state.expiresAt} onSignOut={() => void client.signOut().catch(() => {})} />
      )}
      {state.status === 'ended' && state.ending && <SignInAgainDialog ending={state.ending} heldRequests={state.heldRequests} />}
    </>
  );
}
