// Activity log rows; a row opens the entry's detail page.
import type { LogEntry } from '../api';
import { formatDuration, formatTime } from '../format';
import { href, navigate } from '../router';
import { LevelBadge, StatusBadge } from './Badges';

export function LogTable({ logs, showConnection = true }: { logs: LogEntry[]; showConnection?: boolean }) {
  if (logs.length === 0) return <p class="empty">No activity.</p>;
  return (
    <table class="table logs">
      <thead>
        <tr><th>Time</th><th>Type</th><th>Level</th>{showConnection && <th>Connection</th>}
          <th>Request</th><th>Status</th><th>Duration</th><th>Attempts</th></tr>
      </thead>
      <tbody>
        {logs.map((log) => {
          const id = String(log.id);
          return (
            <tr key={id} class="clickable" data-log-id={id} onClick={() => navigate('activity', id)}>
              <td><a href={href('activity', id)}>{formatTime(log.timestamp)}</a></td>
              <td>{log.type}</td>
              <td><LevelBadge level={log.level} /></td>
              {showConnection && <td>{log.integration ?? ''}{log.connection_id ? ` / ${log.connection_id}` : ''}</td>}
              <td class="request">
                {log.method && <span class="method">{log.method}</span>} {log.url || log.message || ''}
              </td>
              <td><StatusBadge status={log.status} /></td>
              <td>{formatDuration(log.duration_ms)}</td>
              <td>{log.attempts ?? '–'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
