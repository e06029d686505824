// Actions per integration: pick one and a connection, give its JSON input, run it, and see
// its result (or error) and the run's log entries.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getConnections, getIntegrations, getLogs, triggerAction, type LogEntry } from '../api';
import { describeError, ErrorMessage } from '../components/ErrorMessage';
import { JsonBlock } from '../components/JsonBlock';
import { LogTable } from '../components/LogTable';
import { useLoad } from '../hooks';
import { href } from '../router';

type Run = { kind: 'running' } | { kind: 'done'; ok: boolean; result: unknown; logs: LogEntry[] };

/** The parsed input, or the reason it is not JSON. */
function parseInput(text: string): { value: unknown } | { error: string } {
  if (!text.trim()) return { value: {} };
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: `Not valid JSON: ${(error as Error).message}` };
  }
}

export function ActionsPage({ integration, action }: { integration?: string; action?: string }) {
  const integrations = useLoad(getIntegrations, []);
  const connections = useLoad(() => (integration ? getConnections('', integration) : Promise.resolve([])), [integration]);
  const [connectionId, setConnectionId] = useState('');
  const [input, setInput] = useState('{}');
  const [run, setRun] = useState<Run | null>(null);

  useEffect(() => {
    const first = connections.data?.[0];
    if (first && !connections.data?.some((c) => c.connection_id === connectionId)) setConnectionId(first.connection_id);
  }, [connections.data]);
  useEffect(() => setRun(null), [integration, action]);

  const withActions = integrations.data?.integrations.filter((item) => item.actions.length > 0) ?? [];
  const parsed = parseInput(input);
  const start = async (event: Event) => {
    event.preventDefault();
    if (!integration || !action || !connectionId || 'error' in parsed) return;
    setRun({ kind: 'running' });
    let ok = true;
    let result: unknown;
    try {
      result = await triggerAction(integration, connectionId, action, parsed.value);
    } catch (error) {
      ok = false;
      result = error instanceof ApiError && error.body ? error.body : describeError(error);
    }
    let logs: LogEntry[] = [];
    try {
      logs = await getLogs({ integration, connection_id: connectionId, type: 'action', limit: 20 });
    } catch {
      // The result matters more than its log; the Activity page has them too.
    }
    setRun({ kind: 'done', ok, result, logs });
  };

  return (
    <section>
      <h1>Actions</h1>
      <ErrorMessage error={integrations.error} />
      {integrations.data && withActions.length === 0 && (
        <p class="empty">No action yet: add <code>&lt;integration&gt;/&lt;name&gt;.action.lua</code> to the folder.</p>
      )}
      <div class="columns narrow-left">
        <nav class="card action-list" aria-label="Actions">
          {withActions.map((item) => (
            <div key={item.unique_key}>
              <h2>{item.unique_key}</h2>
              <ul>
                {item.actions.map((name) => (
                  <li key={name}>
                    <a href={href('actions', item.unique_key, name)}
                       class={item.unique_key === integration && name === action ? 'active' : ''}>{name}</a>
                  </li>))}
              </ul>
            </div>
          ))}
        </nav>
        <div>
          {!action && <p class="muted">Choose an action.</p>}
          {integration && action && (
            <form class="card form" onSubmit={start}>
              <h2>{integration} / {action}</h2>
              <label for="action-connection">Connection</label>
              {connections.data && connections.data.length === 0 ? (
                <p class="field-error">No {integration} connection yet. <a href={href('connect', integration)}>Connect a user</a>.</p>
              ) : (
                <select id="action-connection" name="connection" value={connectionId}
                        onChange={(event) => setConnectionId((event.target as HTMLSelectElement).value)}>
                  {connections.data?.map((c) => <option key={c.connection_id} value={c.connection_id}>{c.connection_id}</option>)}
                </select>
              )}
              <label for="action-input">Input (JSON)</label>
              <textarea id="action-input" name="input" rows={8} spellcheck={false} value={input}
                        onInput={(event) => setInput((event.target as HTMLTextAreaElement).value)} />
              {'error' in parsed && <div class="field-error" role="alert">{parsed.error}</div>}
              <button type="submit" class="button primary"
                      disabled={!connectionId || 'error' in parsed || run?.kind === 'running'}>
                {run?.kind === 'running' ? 'Running…' : 'Run'}
              </button>
            </form>
          )}
          {run?.kind === 'done' && (
            <>
              <div class={`card action-result ${run.ok ? 'ok' : 'failed'}`}>
                <h2>{run.ok ? 'Result' : 'Failed'}</h2>
                <JsonBlock value={run.result} label="Action result" />
              </div>
              <div class="card">
                <div class="page-header">
                  <h2>Runs of {connectionId}</h2>
                  <a href={href('activity') + `?type=action&integration=${encodeURIComponent(integration ?? '')}` +
                    `&connection_id=${encodeURIComponent(connectionId)}`}>All runs</a>
                </div>
                <LogTable logs={run.logs} showConnection={false} />
              </div>
            </>
          )}
        </div>
      </div>
    </section>
  );
}
