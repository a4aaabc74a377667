import { ApiError } from '@sessiond/sdk';
import { useSessionClient } from '@sessiond/sdk/react';
import { useState, type FormEvent } from 'react';
import { Field } from '../components/Field.tsx';
import { Layout } from '../components/Layout.tsx';
import { PageHeading } from '../components/Page.tsx';
import { Link, navigate } from '../router.tsx';

export function SignupPage() {
  const client = useSessionClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await client.signUp({ email, password });
      await client.signIn({ email, password });
      navigate('/demo');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong. Please try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Layout>
      <div className="card auth-card">
        <PageHeading title="Create your account" />
        <form className="stack" onSubmit={submit}>
          {error && (
            <div className="notice notice-error" role="alert">
              {error}
            </div>
          )}
          <Field label="Email" type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <Field
            label="Password"
            type="password"
            name="password"
            autoComplete="new-password"
            required
            minLength={8}
            hint="At least 8 characters. A long passphrase is easiest to remember."
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <div className="actions">
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? 'Creating account…' : 'Create account'}
            </button>
          </div>
        </form>
        <p className="muted small auth-switch">
          Already have an account? <Link to="/login">Sign in</Link>
        </p>
      </div>
    </Layout>
  );
}
