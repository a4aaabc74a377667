import { isBrowserCause } from '@sessiond/sdk';
import { BrowserCauseHelp } from '../components/BrowserCauseHelp.tsx';
import { Layout } from '../components/Layout.tsx';
import { PageHeading } from '../components/Page.tsx';
import { Link, useLocation } from '../router.tsx';
import { useReasonMessage } from './useReasonMessage.ts';

/** Where a person lands after an ending they did not answer in place: what happened, and a way back. */
export function SignedOutPage() {
  const { searchParams } = useLocation();
  const reason = searchParams.get('reason');
  const message = useReasonMessage(reason);
  return (
    <Layout>
      <div className="card auth-card signed-out">
        <span className="signed-out-mark" aria-hidden="true" />
        <PageHeading title="You're signed out" />
        <p className="lead">{message ?? (reason ? '' : 'You are not signed in.')}</p>
        {isBrowserCause(reason) && <BrowserCauseHelp cause={reason} />}
        {(reason === 'logged_out' || reason === 'revoked_all') && <p className="muted">Unsaved drafts you had in this browser were erased, so the next person here cannot see them.</p>}
        <div className="actions">
          <Link to="/login" className="button button-primary">
            Sign in again
          </Link>
        </div>
      </div>
    </Layout>
  );
}
