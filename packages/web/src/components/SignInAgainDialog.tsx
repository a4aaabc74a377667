import type { Ending } from '@sessiond/sdk';
import { useId } from 'react';
import { withBase } from '../base-path.ts';
import { Modal } from './Modal.tsx';
import { BrowserCauseHelp } from './BrowserCauseHelp.tsx';
import { SignInForm } from './SignInForm.tsx';
import { SsoButtons, useSsoProviders } from './SsoButtons.tsx';

/**
 * Shown in place when the session ends while the page is open: why it ended, and a sign-in that
 * keeps the page (and anything typed into it) exactly as it is for the same person. Not
 * dismissible: the page cannot work until someone signs in, and leaving is a link away. The email
 * is not filled in, since whoever sits here now may not be that person: the browser's password
 * manager offers the saved account (autocomplete="username"), and typing it is one field.
 */
function signInPage(ending: Ending): string {
  const reason = ending.reason ?? ending.cause;
  const query = new URLSearchParams({ ...(reason ? { reason } : {}), next: location.pathname });
  return withBase(`/login?${query.toString()}`);
}

export function SignInAgainDialog({ ending, heldRequests }: { ending: Ending; heldRequests: number }) {
  const descId = useId();
  const providers = useSsoProviders();
  return (
    <Modal title="Sign in to continue" describedBy={descId} className="modal-signin">
      <div id={descId} className="notice notice-warning">
        <p className="ending-message">{ending.message}</p>
        <p>
          Your work on this page is kept, out of sight, until you sign in again with the same account.
          {heldRequests > 0 && ' What you just sent will go through once you are signed in.'}
        </p>
      </div>
      <SignInForm onSignedIn={() => {}} totpHeading="h3" />
      {/* Leaves the page for the provider: the draft brings back what was typed, as below. */}
      <SsoButtons providers={providers} next={location.pathname + location.search} />
      {/* After the form: signing in again comes first, the settings can wait. */}
      {ending.cause && <BrowserCauseHelp cause={ending.cause} />}
      <p className="muted small">
        {/* A full page load: what was typed is in the draft, which comes back after signing in. */}
        Not you? <a href={signInPage(ending)}>Go to the sign-in page</a>
      </p>
    </Modal>
  );
}
