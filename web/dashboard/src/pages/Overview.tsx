// The last hour at a glance: request rate, error rate, p50/p99 latency and refreshes per
// integration, refreshed every 10 s.
import { ApiError, getOverview, type IntegrationSeries, type Overview } from '../api';
import { Chart } from '../components/Chart';
import { ErrorMessage } from '../components/ErrorMessage';
import type { SeriesSpec } from '../charts';
import { useInterval, useLoad } from '../hooks';

const kRefreshMs = 10_000;

type Pick = (series: IntegrationSeries) => (number | null)[];

function perSecond(values: (number | null)[], interval: number): (number | null)[] {
  return values.map((value) => (value === null ? null : value / interval));
}

function collect(overview: Overview, pick: Pick, unit: string, suffix = ''): SeriesSpec[] {
  return Object.entries(overview.integrations).map(([key, series]) => ({
    label: `${key}${suffix}`, values: pick(series), unit
  }));
}

function sum(values: (number | null)[]): number {
  return values.reduce<number>((total, value) => total + (value ?? 0), 0);
}

export function OverviewPage() {
  const { data, error, reload } = useLoad(getOverview, []);
  useInterval(reload, kRefreshMs);
  if (!data) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <section>
        <h1>Overview</h1>
        {missing ? <p class="empty">This server does not provide the overview's data (<code>/dashboard/api/overview</code>).</p>
          : <ErrorMessage error={error} />}
        {!error && <p class="loading">Loading…</p>}
      </section>
    );
  }

  const interval = data.interval_seconds || 1;
  const keys = Object.keys(data.integrations);
  const totals = Object.values(data.integrations).reduce(
    (acc, series) => ({
      requests: acc.requests + sum(series.requests),
      errors: acc.errors + sum(series.errors),
      refreshes: acc.refreshes + sum(series.refreshes),
      failures: acc.failures + sum(series.refresh_failures)
    }), { requests: 0, errors: 0, refreshes: 0, failures: 0 });
  const latency = [
    ...collect(data, (s) => s.p50_ms, 'ms', ' p50'),
    ...collect(data, (s) => s.p99_ms, 'ms', ' p99')
  ];
  const refreshes = [
    ...collect(data, (s) => s.refreshes, '', ' refreshes'),
    ...collect(data, (s) => s.refresh_failures, '', ' failures')
  ];
  return (
    <section>
      <h1>Overview</h1>
      <ErrorMessage error={error} />
      <div class="stats">
        <div class="stat"><span class="stat-value">{totals.requests}</span><span class="muted">requests in the last hour</span></div>
        <div class="stat"><span class="stat-value">{totals.errors}</span><span class="muted">errors</span></div>
        <div class="stat"><span class="stat-value">{totals.refreshes}</span><span class="muted">token refreshes</span></div>
        <div class="stat"><span class="stat-value">{totals.failures}</span><span class="muted">failed refreshes</span></div>
      </div>
      {keys.length === 0 ? <p class="empty">No integration is configured.</p> : (
        <div class="chart-grid">
          <Chart title="Requests per second" timestamps={data.timestamps}
                 series={collect(data, (s) => perSecond(s.requests, interval), '/s')} />
          <Chart title="Errors per second" timestamps={data.timestamps}
                 series={collect(data, (s) => perSecond(s.errors, interval), '/s')} />
          <Chart title="Latency (p50, p99)" timestamps={data.timestamps} series={latency} />
          <Chart title={`Token refreshes and failures (per ${interval} s)`} timestamps={data.timestamps} series={refreshes} />
        </div>
      )}
    </section>
  );
}
