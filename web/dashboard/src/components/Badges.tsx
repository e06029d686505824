// Small labels: a connection's health, an HTTP status, a log level.
import type { Health } from '../api';

const healthLabels: Record<Health, string> = {
  ok: 'healthy',
  refresh_failed: 'refresh failed',
  expiring: 'expiring',
  never_used: 'never used'
};

export function HealthBadge({ health }: { health: Health }) {
  return <span class={`badge health-${health}`} title={health}>{healthLabels[health] ?? health}</span>;
}

export function StatusBadge({ status }: { status: number | null | undefined }) {
  // 0: no HTTP exchange (an action run, a failure before any answer).
  if (!status) return <span class="badge status-none">–</span>;
  const kind = status >= 500 ? 'error' : status >= 400 ? 'warn' : status >= 300 ? 'info' : 'ok';
  return <span class={`badge status-${kind}`}>{status}</span>;
}

export function LevelBadge({ level }: { level: string }) {
  return <span class={`badge level-${level}`}>{level}</span>;
}
