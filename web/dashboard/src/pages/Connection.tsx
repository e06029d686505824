// One connection: health, credentials (masked), connection_config (Jira: the sites and the
// chosen cloud id), metadata editor, recent calls; Refresh now and Delete.
import { useState } from 'preact/hooks';
import {
  deleteConnection, getConnection, getLogs, refreshConnection, setMetadata, type ConnectionDetail, type JiraSite
} from '../api';
import { HealthBadge } from '../components/Badges';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { describeError, ErrorMessage } from '../components/ErrorMessage';
import { JsonBlock } from '../components/JsonBlock';
import { LogTable } from '../components/LogTable';
import { MetadataEditor } from '../components/MetadataEditor';
import { formatRelative, formatTime } from '../format';
import { useLoad } from '../hooks';
import { href, navigate } from '../router';

function Sites({ config }: { config: ConnectionDetail['connection_config'] }) {
  const sites = Array.isArray(config.sites) ? config.sites : [];
  if (!config.cloudId && sites.length === 0) return null;
  return (
    <div class="card">
      <h2>Atlassian site</h2>
      <dl class="fields">
        <dt>Cloud id</dt><dd><code class="cloud-id">{config.cloudId ?? '–'}</code></dd>
        <dt>Base URL</dt><dd><code>{config.baseUrl ?? '–'}</code></dd>
      </dl>
      {sites.length > 0 && (
        <table class="table sites">
          <thead><tr><th>Site</th><th>URL</th><th>Cloud id</th><th /></tr></thead>
          <tbody>
            {sites.map((site: JiraSite) => (
              <tr key={String(site.id)} class={site.id === config.cloudId ? 'chosen' : ''}>
                <td>{site.name ?? ''}</td>
                <td><code>{site.url ?? ''}</code></td>
                <td><code>{site.id ?? ''}</code></td>
                <td>{site.id === config.cloudId && <span class="badge health-ok">chosen</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Details({ connection }: { connection: ConnectionDetail }) {
  return (
    <div class="card">
      <h2>Connection</h2>
      <dl class="fields">
        <dt>Health</dt><dd><HealthBadge health={connection.health} /></dd>
        <dt>Integration</dt><dd>{connection.provider_config_key} <span class="muted">({connection.provider})</span></dd>
        <dt>Created</dt><dd>{formatTime(connection.created_at)}</dd>
        <dt>Updated</dt><dd>{formatTime(connection.updated_at)}</dd>
        <dt>Last used</dt><dd>{formatTime(connection.last_fetched_at)} <span class="muted">{connection.last_fetched_at && formatRelative(connection.last_fetched_at)}</span></dd>
        <dt>Last refresh</dt><dd>{formatTime(connection.last_refresh_at)}</dd>
        {connection.end_user && <><dt>End user</dt><dd><JsonBlock value={connection.end_user} /></dd></>}
        {connection.tags && Object.keys(connection.tags).length > 0 && (
          <><dt>Tags</dt><dd>{Object.entries(connection.tags).map(([name, value]) => (
            <code class="chip" key={name}>{name}={value}</code>))}</dd></>
        )}
      </dl>
      {connection.errors.length > 0 && (
        <div class="alert error" role="alert">
          {connection.errors.map((error, index) => <div key={index}><strong>{error.type}</strong>: {error.message}</div>)}
        </div>
      )}
    </div>
  );
}

export function ConnectionPage({ integration, connectionId }: { integration: string; connectionId: string }) {
  const loaded = useLoad(() => getConnection(integration, connectionId), [integration, connectionId]);
  const logs = useLoad(() => getLogs({ integration, connection_id: connectionId, limit: 20 }), [integration, connectionId]);
  const [refreshed, setRefreshed] = useState<ConnectionDetail | null>(null);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const connection = refreshed && refreshed.connection_id === connectionId ? refreshed : loaded.data;

  const refresh = async () => {
    setBusy(true);
    setNotice(null);
    try {
      setRefreshed(await refreshConnection(integration, connectionId));
      setNotice({ kind: 'ok', text: 'The access token was refreshed.' });
    } catch (error) {
      setNotice({ kind: 'error', text: `The refresh failed: ${describeError(error)}` });
      loaded.reload();
    }
    setBusy(false);
    logs.reload();
  };
  const remove = async () => {
    setBusy(true);
    try {
      await deleteConnection(integration, connectionId);
      navigate('connections');
    } catch (error) {
      setNotice({ kind: 'error', text: `The connection could not be deleted: ${describeError(error)}` });
      setConfirming(false);
    }
    setBusy(false);
  };

  return (
    <section>
      <p class="crumbs"><a href={href('connections')}>Connections</a> / {integration}</p>
      <div class="page-header">
        <h1>{connectionId}</h1>
        <div class="buttons">
          <button type="button" class="button" onClick={refresh} disabled={busy || !connection}>Refresh now</button>
          <button type="button" class="button danger" onClick={() => setConfirming(true)} disabled={busy || !connection}>Delete</button>
        </div>
      </div>
      {notice && <div class={`alert ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>{notice.text}</div>}
      <ErrorMessage error={loaded.error} />
      {loaded.loading && !connection && <p class="loading">Loading…</p>}
      {connection && (
        <div class="columns">
          <div>
            <Details connection={connection} />
            <Sites config={connection.connection_config ?? {}} />
            <div class="card">
              <h2>Credentials</h2>
              <JsonBlock value={connection.credentials} label="Credentials" />
            </div>
          </div>
          <div>
            <div class="card">
              <h2>Connection config</h2>
              <JsonBlock value={connection.connection_config} label="Connection config" />
            </div>
            <div class="card">
              <h2>Metadata</h2>
              <MetadataEditor metadata={connection.metadata}
                              onSave={async (metadata) => { await setMetadata(integration, connectionId, metadata); loaded.reload(); }} />
            </div>
          </div>
        </div>
      )}
      <div class="card">
        <div class="page-header">
          <h2>Recent calls</h2>
          <a href={href('activity') + `?integration=${encodeURIComponent(integration)}&connection_id=${encodeURIComponent(connectionId)}`}>All activity</a>
        </div>
        <ErrorMessage error={logs.error} />
        {logs.data && <LogTable logs={logs.data} showConnection={false} />}
      </div>
      {confirming && (
        <ConfirmDialog title="Delete this connection?" confirmLabel="Delete connection" busy={busy}
                       onConfirm={remove} onCancel={() => setConfirming(false)}>
          <p>The stored credentials of <strong>{connectionId}</strong> ({integration}) are deleted. The user
            has to connect again before Ferry can call {integration} for them.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
