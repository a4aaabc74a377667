import { ApiError, type SessionView, type SignedIn } from '@sessiond/sdk';
import { useSessionClient } from '@sessiond/sdk/react';
import { useEffect, useRef, useState } from 'react';
import { formatLastActive, formatLocation } from '../format.ts';
import { appName } from './SessionRow.tsx';

export interface SignInChoice {
  message: string;
  choiceToken: string;
  sessions: SessionView[];
}

/** The choice a 409 concurrent_limit offers (SESSIOND_ON_MAX_SESSIONS=choose), if it offers one. */
export function choiceOf(e: unknown): SignInChoice | null {
  if (!(e instanceof ApiError) || e.code !== 'concurrent_limit' || typeof e.details?.choiceToken !== 'string' || !Array.isArray(e.details.sessions)) return null;
  return { message: e.message, choiceToken: e.details.choiceToken, sessions: e.details.sessions as SessionView[] };
}

/**
 * At the device limit: the sessions in the way as a list, each with its own "Sign out" button;
 * choosing one signs it out and this browser in, without the password again.
 */
export function ChooseSessionToEnd({ choice, onSignedIn, onCancel, onCookiesBlocked }: { choice: SignInChoice; onSignedIn: (s: SignedIn) => void; onCancel: () => void; onCookiesBlocked: (message: string) => void }) {
  const client = useSessionClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const choose = async (s: SessionView) => {
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await client.completeSignIn({ choiceToken: choice.choiceToken, endSessionId: s.id }));
    } catch (e) {
      // Choosing again would only be refused again: back to the form, which says why and how to fix it.
      if (e instanceof ApiError && e.code === 'cookies_blocked') return onCookiesBlocked(e.message);
      setError(e instanceof ApiError ? e.message : 'Something went wrong. Please try again.');
      setBusy(false);
    }
  };

  return (
    <div className="stack choose-session">
      <h2 className="step-title" ref={heading} tabIndex={-1}>
        Choose a device to sign out
      </h2>
      <p>{choice.message}</p>
      {error && (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      )}
      <ul className="choice-list">
        {choice.sessions.map((s) => (
          <li key={s.id} className="choice">
            <div>
              <strong>{s.device.label}</strong>
              <span className="muted">
                {' '}
                · {appName(s.app)} · {formatLocation(s.location)} · {formatLastActive(s.lastActiveAt)}
              </span>
            </div>
            <button type="button" className="button button-secondary button-small" disabled={busy} onClick={() => void choose(s)} aria-label={`Sign out ${s.device.label} and sign in here`}>
              Sign out
            </button>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" className="button button-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
