// Every connection, searchable by id or end user and filtered by integration, with its health.
import { useEffect, useState } from 'preact/hooks';
import { getConnections, getIntegrations } from '../api';
import { HealthBadge } from '../components/Badges';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatRelative, formatTime } from '../format';
import { useLoad } from '../hooks';
import { hashParams, href } from '../router';

export function ConnectionsPage() {
  const [search, setSearch] = useState('');
  const [typed, setTyped] = useState('');
  const [integration, setIntegration] = useState(() => hashParams().get('integration') ?? '');
  const integrations = useLoad(getIntegrations, []);
  const connections = useLoad(() => getConnections(search, integration), [search, integration]);

  // Search as the user types, once they pause.
  useEffect(() => {
    const timer = window.setTimeout(() => setSearch(typed.trim()), 250);
    return () => window.clearTimeout(timer);
  }, [typed]);

  return (
    <section>
      <div class="page-header">
        <h1>Connections</h1>
        <a class="button primary" href={href('connect')}>Connect a user</a>
      </div>
      <form class="filters" onSubmit={(event) => { event.preventDefault(); setSearch(typed.trim()); }}>
        <input type="search" name="search" placeholder="Search connection id or end user" aria-label="Search"
               value={typed} onInput={(event) => setTyped((event.target as HTMLInputElement).value)} />
        <select name="integration" aria-label="Integration" value={integration}
                onChange={(event) => setIntegration((event.target as HTMLSelectElement).value)}>
          <option value="">All integrations</option>
          {integrations.data?.integrations.map((item) => (
            <option key={item.unique_key} value={item.unique_key}>{item.unique_key}</option>))}
        </select>
        <button type="button" class="button" onClick={connections.reload}>Reload</button>
      </form>
      <ErrorMessage error={connections.error} />
      {connections.loading && !connections.data && <p class="loading">Loading…</p>}
      {connections.data && connections.data.length === 0 && (
        <p class="empty">No connection{search || integration ? ' matches' : ' yet'}.
          {' '}<a href={href('connect')}>Connect a user</a> to make one.</p>
      )}
      {connections.data && connections.data.length > 0 && (
        <table class="table connections">
          <thead>
            <tr><th>Connection</th><th>Integration</th><th>Health</th><th>End user</th>
              <th>Created</th><th>Updated</th><th>Last used</th><th>Last refresh</th></tr>
          </thead>
          <tbody>
            {connections.data.map((connection) => {
              const link = href('connections', connection.provider_config_key, connection.connection_id);
              const user = connection.end_user;
              return (
                <tr key={`${connection.provider_config_key}/${connection.connection_id}`}
                    data-connection={connection.connection_id}>
                  <td><a href={link}>{connection.connection_id}</a></td>
                  <td>{connection.provider_config_key}</td>
                  <td><HealthBadge health={connection.health} /></td>
                  <td>{user ? String(user['email'] ?? user['display_name'] ?? user['id'] ?? '') : <span class="muted">–</span>}</td>
                  <td title={formatTime(connection.created_at)}>{formatRelative(connection.created_at)}</td>
                  <td title={formatTime(connection.updated_at)}>{formatRelative(connection.updated_at)}</td>
                  <td title={formatTime(connection.last_fetched_at)}>{formatRelative(connection.last_fetched_at)}</td>
                  <td title={formatTime(connection.last_refresh_at)}>{formatRelative(connection.last_refresh_at)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
