// A thin wrapper over uPlot: one time-series chart in a container, resized with it, with
// data replaced in place on refresh.
import uPlot from 'uplot';

export interface SeriesSpec {
  label: string;
  values: (number | null)[];
  /** The unit shown in the legend, e.g. "ms" or "/s". */
  unit?: string;
}

const kPalette = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

export function colorAt(index: number): string {
  return kPalette[index % kPalette.length]!;
}

function format(value: number | null, unit: string | undefined): string {
  if (value === null || value === undefined) return '–';
  const shown = Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2).replace(/\.?0+$/, '');
  return unit ? `${shown} ${unit}` : shown;
}

function options(title: string, width: number, series: SeriesSpec[]): uPlot.Options {
  return {
    title,
    width,
    height: 220,
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] } },
    axes: [{}, { size: 60 }],
    series: [
      {},
      ...series.map((spec, index) => ({
        label: spec.label,
        stroke: colorAt(index),
        width: 2,
        spanGaps: false,
        value: (_u: uPlot, value: number | null) => format(value, spec.unit)
      }))
    ]
  };
}

/** A chart drawn into `container`; update() replaces its data, destroy() removes it. */
export class TimeChart {
  private plot: uPlot;
  private observer: ResizeObserver;
  private labels: string;

  constructor(private container: HTMLElement, private title: string, timestamps: number[], series: SeriesSpec[]) {
    this.labels = series.map((spec) => spec.label).join('\n');
    this.plot = new uPlot(options(title, this.width(), series), this.data(timestamps, series), container);
    this.observer = new ResizeObserver(() => this.plot.setSize({ width: this.width(), height: 220 }));
    this.observer.observe(container);
  }

  /** New data; the chart is rebuilt only when the set of series changed. */
  update(timestamps: number[], series: SeriesSpec[]): void {
    const labels = series.map((spec) => spec.label).join('\n');
    if (labels !== this.labels) {
      this.plot.destroy();
      this.labels = labels;
      this.plot = new uPlot(options(this.title, this.width(), series), this.data(timestamps, series), this.container);
      return;
    }
    this.plot.setData(this.data(timestamps, series));
  }

  destroy(): void {
    this.observer.disconnect();
    this.plot.destroy();
  }

  private width(): number {
    return Math.max(this.container.clientWidth, 240);
  }

  private data(timestamps: number[], series: SeriesSpec[]): uPlot.AlignedData {
    return [timestamps, ...series.map((spec) => spec.values)] as uPlot.AlignedData;
  }
}
