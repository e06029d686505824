// One activity log entry: the request, every attempt with its status, reason and wait, the
// headers (redacted by the server) and the rest of its details.
import { getLog, type Attempt } from '../api';
import { LevelBadge, StatusBadge } from '../components/Badges';
import { ErrorMessage } from '../components/ErrorMessage';
import { JsonBlock } from '../components/JsonBlock';
import { formatBytes, formatDuration, formatTime } from '../format';
import { useLoad } from '../hooks';
import { href } from '../router';

type HeaderList = Record<string, string> | [string, string][] | { name: string; value: string }[];

/** Header pairs from an object, a list of pairs or a list of {name, value}. */
function headerPairs(headers: HeaderList | undefined): [string, string][] {
  if (!headers) return [];
  if (!Array.isArray(headers)) return Object.entries(headers).map(([name, value]) => [name, String(value)]);
  return headers.map((item) => (Array.isArray(item) ? [String(item[0]), String(item[1])] : [item.name, String(item.value)]));
}

function Headers({ title, headers }: { title: string; headers: HeaderList | undefined }) {
  const pairs = headerPairs(headers);
  if (pairs.length === 0) return null;
  return (
    <div class="card">
      <h2>{title}</h2>
      <table class="table headers">
        <tbody>
          {pairs.map(([name, value], index) => (
            <tr key={index}><th>{name}</th><td><code>{value}</code></td></tr>))}
        </tbody>
      </table>
    </div>
  );
}

function Attempts({ attempts }: { attempts: Attempt[] }) {
  if (attempts.length === 0) return null;
  return (
    <div class="card">
      <h2>Attempts</h2>
      <table class="table attempts">
        <thead><tr><th>#</th><th>Status</th><th>Reason</th><th>Waited before next</th><th>Other</th></tr></thead>
        <tbody>
          {attempts.map((attempt, index) => {
            const { status, reason, wait_ms: wait, ...rest } = attempt;
            return (
              <tr key={index}>
                <td>{index + 1}</td>
                <td><StatusBadge status={status ?? null} /></td>
                <td>{reason ?? ''}</td>
                <td>{wait === undefined ? '–' : formatDuration(wait)}</td>
                <td>{Object.keys(rest).length ? <code>{JSON.stringify(rest)}</code> : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function LogPage({ id }: { id: string }) {
  const { data: log, error, loading } = useLoad(() => getLog(id), [id]);
  const { attempts = [], request_headers: requestHeaders, response_headers: responseHeaders, ...rest } = log?.details ?? {};
  return (
    <section>
      <p class="crumbs"><a href={href('activity')}>Activity</a> / {id}</p>
      <ErrorMessage error={error} />
      {loading && !log && <p class="loading">Loading…</p>}
      {log && (
        <>
          <div class="page-header">
            <h1 class="request">{log.method && <span class="method">{log.method}</span>} {log.url || log.message || log.type}</h1>
            <StatusBadge status={log.status} />
          </div>
          <div class="card">
            <dl class="fields">
              <dt>Time</dt><dd>{formatTime(log.timestamp)}</dd>
              <dt>Type</dt><dd>{log.type} <LevelBadge level={log.level} /></dd>
              <dt>Connection</dt>
              <dd>{log.integration && log.connection_id
                ? <a href={href('connections', log.integration, log.connection_id)}>{log.integration} / {log.connection_id}</a>
                : `${log.integration ?? ''} ${log.connection_id ?? ''}`}</dd>
              <dt>Duration</dt><dd>{formatDuration(log.duration_ms)}</dd>
              <dt>Attempts</dt><dd>{log.attempts ?? attempts.length}</dd>
              <dt>Bytes in / out</dt><dd>{formatBytes(log.bytes_in)} / {formatBytes(log.bytes_out)}</dd>
              {log.message && <><dt>Message</dt><dd class="message">{log.message}</dd></>}
            </dl>
          </div>
          <Attempts attempts={attempts} />
          <Headers title="Request headers" headers={requestHeaders} />
          <Headers title="Response headers" headers={responseHeaders} />
          {Object.keys(rest).length > 0 && (
            <div class="card"><h2>Details</h2><JsonBlock value={rest} /></div>
          )}
        </>
      )}
    </section>
  );
}
