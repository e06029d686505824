// Connect a user: a connect session for one integration and connection id, then the real
// popup flow through Ferry's frontend SDK. On success, the new connection's page.
import { useEffect, useState } from 'preact/hooks';
import { createConnectSession, getIntegrations, type Session } from '../api';
import { describeError, ErrorMessage } from '../components/ErrorMessage';
import { ferryClient, isAuthError } from '../ferry-sdk';
import { useLoad } from '../hooks';
import { href, navigate } from '../router';

type Outcome = { kind: 'running' } | { kind: 'success'; integration: string; connectionId: string }
  | { kind: 'failure'; text: string };

export function ConnectPage({ integration: chosen, session }: { integration?: string; session: Session }) {
  const integrations = useLoad(getIntegrations, []);
  const [integration, setIntegration] = useState(chosen ?? '');
  const [connectionId, setConnectionId] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  useEffect(() => {
    const first = integrations.data?.integrations[0];
    if (!integration && first) setIntegration(chosen ?? first.unique_key);
  }, [integrations.data]);

  const connect = async (event: Event) => {
    event.preventDefault();
    const id = connectionId.trim();
    if (!integration || !id) return;
    setOutcome({ kind: 'running' });
    try {
      const token = (await createConnectSession(integration, id)).token;
      // Still within the click's user activation, so the browser lets the popup open.
      const client = ferryClient(token);
      if (!client) throw new Error('The frontend SDK (/sdk/ferry-frontend.js) did not load.');
      const result = await client.auth(integration);
      setOutcome({ kind: 'success', integration: result.providerConfigKey, connectionId: result.connectionId });
      navigate('connections', result.providerConfigKey, result.connectionId);
    } catch (error) {
      setOutcome({
        kind: 'failure',
        text: isAuthError(error) ? `${error.type}: ${error.message}` : describeError(error)
      });
    }
  };

  const selected = integrations.data?.integrations.find((item) => item.unique_key === integration);
  return (
    <section class="narrow">
      <h1>Connect a user</h1>
      <p class="muted">Runs the same popup flow your product runs with the frontend SDK: the user signs in
        to the provider and consents, and Ferry stores the tokens under the connection id.</p>
      <ErrorMessage error={integrations.error} />
      <form class="card form" onSubmit={connect}>
        <label for="connect-integration">Integration</label>
        <select id="connect-integration" name="integration" value={integration}
                onChange={(event) => setIntegration((event.target as HTMLSelectElement).value)}>
          {integrations.data?.integrations.map((item) => (
            <option key={item.unique_key} value={item.unique_key}>{item.unique_key} ({item.provider})</option>))}
        </select>
        {selected && selected.auth_mode !== 'OAUTH2' && selected.auth_mode !== 'OAUTH1' && (
          <p class="field-error">{selected.unique_key} uses {selected.auth_mode}: register its connections
            with <code>POST /connections</code> instead.</p>
        )}
        <label for="connect-id">Connection id</label>
        <input id="connect-id" name="connection_id" placeholder="user-1" required value={connectionId}
               onInput={(event) => setConnectionId((event.target as HTMLInputElement).value)} />
        <p class="hint">Usually your product's id for the user or their organisation.</p>
        {!session.callback_url ? null : (
          <p class="hint">The provider must know the callback URL <code>{session.callback_url}</code>.</p>
        )}
        <button type="submit" class="button primary"
                disabled={!integration || !connectionId.trim() || outcome?.kind === 'running'}>
          {outcome?.kind === 'running' ? 'Waiting for the popup…' : 'Connect'}
        </button>
        {outcome?.kind === 'failure' && (
          <div class="alert error connect-result" role="alert">The connection failed: {outcome.text}</div>
        )}
        {outcome?.kind === 'success' && (
          <div class="alert ok connect-result" role="status">
            Connected <a href={href('connections', outcome.integration, outcome.connectionId)}>{outcome.connectionId}</a>.
          </div>
        )}
      </form>
    </section>
  );
}
