import { isBrowserCause } from '@sessiond/sdk';
import { useSession } from '@sessiond/sdk/react';
import { BrowserCauseHelp } from '../components/BrowserCauseHelp.tsx';
import { useEffect, useId } from 'react';
import { Layout } from '../components/Layout.tsx';
import { PageHeading } from '../components/Page.tsx';
import { SignInForm } from '../components/SignInForm.tsx';
import { SsoButtons, ssoCookiesBlocked, ssoOutcomeMessage, useSsoProviders } from '../components/SsoButtons.tsx';
import { followNext, Link, safeNext, useLocation } from '../router.tsx';
import { useReasonMessage } from './useReasonMessage.ts';

export function LoginPage() {
  const { status, ending } = useSession();
  const { searchParams } = useLocation();
  const next = safeNext(searchParams.get('next'));
  // Arriving here directly (say, after the browser restarted) the client may still know why.
  const reason = searchParams.get('reason') ?? ending?.cause ?? null;
  const providers = useSsoProviders();
  const reasonMessage = useReasonMessage(reason);
  const sso = searchParams.get('sso');
  const message = ssoOutcomeMessage(sso, searchParams.get('provider'), providers) ?? reasonMessage;
  // A browser-side cause to fix in the browser's settings: an ending's, or an SSO sign-in's.
  const cause = ssoCookiesBlocked(sso) ? 'cookies_blocked' : isBrowserCause(reason) ? reason : null;
  const messageId = useId();

  useEffect(() => {
    if (status === 'signed-in') followNext(next, { replace: true });
  }, [status, next]);

  return (
    <Layout>
      <div className="card auth-card">
        <PageHeading title="Sign in" />
        {message && (
          <div className="notice notice-info" id={messageId}>
            {message}
          </div>
        )}
        <SignInForm onSignedIn={() => {}} />
        <SsoButtons providers={providers} next={next} />
        {cause && <BrowserCauseHelp cause={cause} />}
        <p className="muted small auth-switch">
          New to sessiond? <Link to="/signup">Create an account</Link>
        </p>
      </div>
    </Layout>
  );
}
