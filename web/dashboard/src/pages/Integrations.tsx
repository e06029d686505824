// Configured integrations (from integrations.yaml), the callback URL to register with each
// provider, and the configuration's warnings with their file:line.
import { getIntegrations, type Integration } from '../api';
import { CopyButton } from '../components/CopyButton';
import { ErrorMessage } from '../components/ErrorMessage';
import { JsonBlock } from '../components/JsonBlock';
import { useLoad } from '../hooks';
import { href } from '../router';

function IntegrationCard({ integration, callbackUrl }: { integration: Integration; callbackUrl: string }) {
  return (
    <article class="card integration" data-integration={integration.unique_key}>
      <header class="card-header">
        <h2>{integration.unique_key}</h2>
        <span class="badge">{integration.auth_mode}</span>
        <span class="muted source" title="where it is configured">{integration.source}</span>
      </header>
      <dl class="fields">
        <dt>Provider</dt><dd>{integration.provider} <span class="muted">({integration.blueprint})</span></dd>
        <dt>Base URL</dt><dd><code>{integration.base_url}</code></dd>
        <dt>Scopes</dt>
        <dd>{integration.scopes.length ? integration.scopes.map((scope) => <code class="chip" key={scope}>{scope}</code>)
          : <span class="muted">none</span>}</dd>
        <dt>Client id</dt><dd><code>{integration.client_id ?? '–'}</code></dd>
        <dt>Client secret</dt><dd><code>{integration.client_secret ?? 'not set'}</code></dd>
        <dt>Callback URL</dt>
        <dd class="copy-row"><code>{callbackUrl}</code> <CopyButton text={callbackUrl} /></dd>
        <dt>Actions</dt>
        <dd>{integration.actions.length
          ? integration.actions.map((action) => (
            <a class="chip" key={action} href={href('actions', integration.unique_key, action)}>{action}</a>))
          : <span class="muted">none</span>}</dd>
      </dl>
      {integration.retry && (
        <details>
          <summary>Retry policy</summary>
          <JsonBlock value={integration.retry} />
        </details>
      )}
      {integration.config && (
        <details>
          <summary>Resolved configuration</summary>
          <JsonBlock value={integration.config} />
        </details>
      )}
      <div class="card-actions">
        <a class="button small" href={href('connections') + `?integration=${encodeURIComponent(integration.unique_key)}`}>Connections</a>
        <a class="button small primary" href={href('connect', integration.unique_key)}>Connect a user</a>
      </div>
    </article>
  );
}

export function IntegrationsPage() {
  const { data, error, loading } = useLoad(getIntegrations, []);
  return (
    <section>
      <h1>Integrations</h1>
      <ErrorMessage error={error} />
      {data && data.warnings.length > 0 && (
        <div class="alert warn" role="status">
          <strong>Configuration warnings</strong>
          <ul class="warnings">
            {data.warnings.map((warning, index) => (
              <li key={index}><code>{warning.location}</code> {warning.message}</li>))}
          </ul>
        </div>
      )}
      {data && (
        <p class="copy-row">Register this callback URL with each OAuth provider:
          <code>{data.callback_url}</code> <CopyButton text={data.callback_url} /></p>
      )}
      {loading && !data && <p class="loading">Loading…</p>}
      {data && data.integrations.length === 0 && (
        <p class="empty">No integration is configured: add one to <code>integrations.yaml</code>.</p>
      )}
      <div class="grid">
        {data?.integrations.map((integration) => (
          <IntegrationCard key={integration.unique_key} integration={integration} callbackUrl={data.callback_url} />
        ))}
      </div>
    </section>
  );
}
