/**
 * Sign-in: an access key ID and secret access key from the scheduler's credentials (the pair
 * the aws CLI uses). The server checks them against the scheduler and keeps them; the page
 * forgets the secret as soon as it is sent.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { SessionInfo } from '../../core/view-types.js';
import { ApiError, signIn } from '../api.js';

export function SignIn({
  onSignedIn,
  ended,
}: {
  onSignedIn: (s: SessionInfo) => void;
  ended: boolean;
}): JSX.Element {
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    setBusy(true);
    setError(undefined);
    try {
      const s = await signIn(
        String(data.get('accessKeyId') ?? ''),
        String(data.get('secretAccessKey') ?? ''),
      );
      (form.elements.namedItem('secretAccessKey') as HTMLInputElement).value = '';
      onSignedIn(s);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'Error', String(err), undefined));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="signin">
      <h1>Sign in to berth</h1>
      {ended ? <p role="status">The session ended; sign in again.</p> : null}
      <p class="muted">
        Use an access key of the scheduler's credentials file (<code>berth dev</code> writes it to{' '}
        <code>~/.berth/credentials</code>). The console keeps the key on its server; it never
        reaches this page again.
      </p>
      <form onSubmit={submit} class="stack" aria-describedby={error ? 'signin-error' : undefined}>
        <label>
          Access key ID
          <input name="accessKeyId" autoComplete="username" required spellcheck={false} autoFocus />
        </label>
        <label>
          Secret access key
          <input name="secretAccessKey" type="password" autoComplete="current-password" required />
        </label>
        {error ? (
          <p class="error" role="alert" id="signin-error">
            {error.message}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
