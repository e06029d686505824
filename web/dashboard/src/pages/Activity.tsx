// The activity log: filters, and a live tail that polls every 2 s for entries newer than
// the newest shown and puts them on top.
import { useState } from 'preact/hooks';
import { getIntegrations, getLogs, type LogEntry, type LogQuery } from '../api';
import { ErrorMessage } from '../components/ErrorMessage';
import { LogTable } from '../components/LogTable';
import { localInputToIso } from '../format';
import { useInterval, useLoad } from '../hooks';
import { hashParams } from '../router';

const kPageSize = 100;
const kTailMs = 2000;
const kMaxRows = 500;

interface Filters {
  integration: string;
  connection_id: string;
  status: string;
  type: string;
  from: string;  // datetime-local input values
  to: string;
  search: string;
}

function initialFilters(): Filters {
  const params = hashParams();
  return {
    integration: params.get('integration') ?? '', connection_id: params.get('connection_id') ?? '',
    status: params.get('status') ?? '', type: params.get('type') ?? '', from: '', to: '', search: ''
  };
}

function toQuery(filters: Filters): LogQuery {
  return {
    integration: filters.integration, connection_id: filters.connection_id.trim(), status: filters.status,
    type: filters.type, from: localInputToIso(filters.from), to: localInputToIso(filters.to),
    search: filters.search.trim()
  };
}

/** The highest id of `logs` (ids grow), or '' when empty. */
function highestId(logs: LogEntry[]): string {
  let best: LogEntry | undefined;
  for (const log of logs) {
    if (!best || Number(log.id) > Number(best.id)) best = log;
  }
  return best ? String(best.id) : '';
}

export function ActivityPage() {
  const [draft, setDraft] = useState<Filters>(initialFilters);
  const [filters, setFilters] = useState<Filters>(draft);
  const [live, setLive] = useState(false);
  const [newer, setNewer] = useState<LogEntry[]>([]);
  const [tailError, setTailError] = useState<unknown>(null);
  const integrations = useLoad(getIntegrations, []);
  const logs = useLoad(() => getLogs({ ...toQuery(filters), limit: kPageSize }), [filters]);

  const shown = [...newer, ...(logs.data ?? [])].slice(0, kMaxRows);
  useInterval(async () => {
    try {
      const after = highestId(shown);
      const fresh = await getLogs({ ...toQuery(filters), after_id: after || undefined, limit: kPageSize });
      const known = new Set(shown.map((log) => String(log.id)));
      const added = fresh.filter((log) => !known.has(String(log.id)));
      if (added.length) setNewer((rows) => [...added, ...rows].slice(0, kMaxRows));
      setTailError(null);
    } catch (error) {
      setTailError(error);
    }
  }, kTailMs, live && !logs.loading);

  const set = (name: keyof Filters) => (event: Event) =>
    setDraft({ ...draft, [name]: (event.target as HTMLInputElement | HTMLSelectElement).value });
  const apply = (event: Event) => {
    event.preventDefault();
    setNewer([]);
    setFilters({ ...draft });
  };

  return (
    <section>
      <div class="page-header">
        <h1>Activity</h1>
        <label class="toggle">
          <input type="checkbox" name="live" checked={live} onChange={(event) => setLive((event.target as HTMLInputElement).checked)} />
          Live
          {live && <span class="live-dot" aria-label="live tail on" />}
        </label>
      </div>
      <form class="filters" onSubmit={apply}>
        <select name="integration" aria-label="Integration" value={draft.integration} onChange={set('integration')}>
          <option value="">All integrations</option>
          {integrations.data?.integrations.map((item) => (
            <option key={item.unique_key} value={item.unique_key}>{item.unique_key}</option>))}
        </select>
        <input name="connection_id" placeholder="Connection id" aria-label="Connection id"
               value={draft.connection_id} onInput={set('connection_id')} />
        <select name="status" aria-label="Status" value={draft.status} onChange={set('status')}>
          <option value="">Any status</option>
          <option value="4xx,5xx">Failed (4xx, 5xx)</option>
          <option value="4xx">4xx</option>
          <option value="5xx">5xx</option>
          <option value="error">No answer (transport error)</option>
        </select>
        <select name="type" aria-label="Type" value={draft.type} onChange={set('type')}>
          <option value="">Any type</option>
          <option value="proxy">proxy</option>
          <option value="action">action</option>
          <option value="auth">auth</option>
          <option value="refresh">refresh</option>
        </select>
        <input type="datetime-local" name="from" aria-label="From" value={draft.from} onInput={set('from')} />
        <input type="datetime-local" name="to" aria-label="To" value={draft.to} onInput={set('to')} />
        <input type="search" name="search" placeholder="Search URL or message" aria-label="Search"
               value={draft.search} onInput={set('search')} />
        <button type="submit" class="button primary">Filter</button>
      </form>
      <ErrorMessage error={logs.error ?? tailError} />
      {logs.loading && !logs.data ? <p class="loading">Loading…</p> : <LogTable logs={shown} />}
    </section>
  );
}
