// A uPlot time-series chart as a component: created on mount, updated in place.
import { useEffect, useRef } from 'preact/hooks';
import { TimeChart, type SeriesSpec } from '../charts';

export function Chart({ title, timestamps, series }: { title: string; timestamps: number[]; series: SeriesSpec[] }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<TimeChart | null>(null);
  useEffect(() => {
    if (!container.current) return undefined;
    chart.current = new TimeChart(container.current, title, timestamps, series);
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, [title]);
  useEffect(() => chart.current?.update(timestamps, series), [timestamps, series]);
  return <div class="chart" ref={container} />;
}
