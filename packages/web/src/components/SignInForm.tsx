import { ApiError, type SignedIn } from '@sessiond/sdk';
import { useSessionClient } from '@sessiond/sdk/react';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { BrowserCauseHelp } from './BrowserCauseHelp.tsx';
import { ChooseSessionToEnd, choiceOf, type SignInChoice } from './ChooseSessionToEnd.tsx';
import { Field } from './Field.tsx';

interface SignInFormProps {
  onSignedIn: (s: SignedIn) => void;
  /** Heading level inside a dialog differs from the page. */
  totpHeading?: 'h2' | 'h3';
}

/** Email + password (+ "Keep me signed in"), then the authentication code when the account asks. */
export function SignInForm({ onSignedIn, totpHeading = 'h2' }: SignInFormProps) {
  const client = useSessionClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [rememberMe, setRememberMe] = useState(false);
  const [totp, setTotp] = useState('');
  const [step, setStep] = useState<'password' | 'totp'>('password');
  const [error, setError] = useState<string | null>(null);
  const [cookiesBlocked, setCookiesBlocked] = useState(false);
  const [busy, setBusy] = useState(false);
  const [choice, setChoice] = useState<SignInChoice | null>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  const keepId = useId();
  const errorId = useId();

  useEffect(() => {
    if (step === 'totp') codeRef.current?.focus();
  }, [step]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setCookiesBlocked(false);
    try {
      const signedIn = await client.signIn({ email, password, rememberMe, ...(step === 'totp' ? { totp: totp.replace(/\s+/g, '') } : {}) });
      onSignedIn(signedIn);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_required' && step === 'password') setStep('totp');
      else if (choiceOf(err)) setChoice(choiceOf(err));
      else setError(err instanceof ApiError ? err.message : 'Something went wrong. Please try again.');
      setCookiesBlocked(err instanceof ApiError && err.code === 'cookies_blocked');
    } finally {
      setBusy(false);
    }
  };

  const Heading = totpHeading;
  if (choice) {
    const blocked = (message: string) => (setChoice(null), setPassword(''), setError(message), setCookiesBlocked(true));
    return <ChooseSessionToEnd choice={choice} onSignedIn={onSignedIn} onCancel={() => (setChoice(null), setPassword(''))} onCookiesBlocked={blocked} />;
  }
  return (
    <form className="stack" onSubmit={submit} aria-describedby={error ? errorId : undefined}>
      {error && (
        <div className="notice notice-error" role="alert" id={errorId}>
          {error}
        </div>
      )}
      {cookiesBlocked && <BrowserCauseHelp cause="cookies_blocked" />}
      {step === 'password' ? (
        <>
          <Field label="Email" type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <Field label="Password" type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          <div className="checkbox">
            <input id={keepId} type="checkbox" checked={rememberMe} onChange={(e) => setRememberMe(e.target.checked)} aria-describedby={`${keepId}-hint`} />
            <label htmlFor={keepId}>Keep me signed in</label>
            <p className="hint" id={`${keepId}-hint`}>
              not on shared or public computers
            </p>
          </div>
        </>
      ) : (
        <>
          <Heading className="step-title">Two-step verification</Heading>
          <p className="muted">Enter the code from your authenticator app for {email}.</p>
          <Field
            ref={codeRef}
            label="Authentication code"
            name="totp"
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            value={totp}
            onChange={(e) => setTotp(e.target.value)}
          />
        </>
      )}
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {step === 'totp' && (
          <button type="button" className="button button-quiet" onClick={() => (setStep('password'), setTotp(''), setError(null))}>
            Back
          </button>
        )}
      </div>
    </form>
  );
}
