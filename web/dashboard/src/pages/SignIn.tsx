// The sign-in page: the secret key (or the admin password) opens a session.
import { useState } from 'preact/hooks';
import { ApiError, signIn, type Session } from '../api';
import { describeError } from '../components/ErrorMessage';

export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [credential, setCredential] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!credential) return;
    setBusy(true);
    setError('');
    try {
      onSignedIn(await signIn(credential));
    } catch (failure) {
      setError(failure instanceof ApiError && failure.status === 401
        ? 'That key or password is not right.'
        : failure instanceof ApiError && failure.status === 429
          ? 'Too many attempts: wait a minute and try again.'
          : describeError(failure));
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <form class="card" onSubmit={submit}>
        <h1><span class="logo" aria-hidden="true" />Ferry</h1>
        <p class="muted">Sign in with the server's secret key (<code>FERRY_SECRET_KEY</code> in the
          folder's <code>.env</code>) or the admin password.</p>
        <label for="credential">Secret key or password</label>
        <input id="credential" name="credential" type="password" autocomplete="current-password"
               autofocus value={credential}
               onInput={(event) => setCredential((event.target as HTMLInputElement).value)} />
        {error && <div class="alert error" role="alert">{error}</div>}
        <button type="submit" class="button primary" disabled={busy || !credential}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
