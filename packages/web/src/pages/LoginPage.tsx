import { useSession } from '@sessiond/sdk/react';
import { useEffect, useId } from 'react';
import { Layout } from '../components/Layout.tsx';
import { PageHeading } from '../components/Page.tsx';
import { SignInForm } from '../components/SignInForm.tsx';
import { SsoButtons } from '../components/SsoButtons.tsx';
import { Link, navigate, safeNext, useLocation } from '../router.tsx';
import { useReasonMessage } from './useReasonMessage.ts';

export function LoginPage() {
  const { status } = useSession();
  const { searchParams } = useLocation();
  const next = safeNext(searchParams.get('next'));
  const message = useReasonMessage(searchParams.get('reason'));
  const messageId = useId();

  useEffect(() => {
    if (status === 'signed-in') navigate(next, { replace: true });
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
        <SsoButtons next={next} />
        <p className="muted small auth-switch">
          New to sessiond? <Link to="/signup">Create an account</Link>
        </p>
      </div>
    </Layout>
  );
}
