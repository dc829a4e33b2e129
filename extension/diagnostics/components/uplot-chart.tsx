/**
 * One time-series chart drawn by uPlot (canvas), with dashed horizontal threshold lines.
 * The canvas is hidden from assistive technology: the figure around it carries the same
 * information as text (see quality-charts.tsx). Redrawn when its data changes; resized with
 * its container.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

/** A horizontal line across the chart at `value`, named in the legend. */
export interface ThresholdLine {
  value: number;
  label: string;
  level: 'warn' | 'poor';
}

/** Props of {@link UplotChart}. */
export interface UplotChartProps {
  /** Seconds since the epoch (uPlot's time unit), ascending. */
  x: readonly number[];
  y: readonly (number | null)[];
  /** Legend name of the series, e.g. `"RTT (ms)"`. */
  label: string;
  thresholds: readonly ThresholdLine[];
  /** Fixed y range (MOS: 1…4.5); absent: from the data and thresholds, from 0. */
  range?: [number, number];
}

const HEIGHT = 180;
const COLOURS = { series: '#0a58ca', poor: '#a40e26', warn: '#8a5300' };

/** The chart. */
export function UplotChart({ x, y, label, thresholds, range }: UplotChartProps) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const data: uPlot.AlignedData = [x as number[], y as (number | null)[], ...thresholds.map((t) => x.map(() => t.value))];
    // Axis text and grid follow the page's colour scheme (light or dark), read from its CSS.
    const style = getComputedStyle(el);
    const ink = style.color || '#1f2328';
    const grid = style.getPropertyValue('--border').trim() || '#d8dde3';
    const axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const opts: uPlot.Options = {
      width: Math.max(240, el.clientWidth),
      height: HEIGHT,
      scales: {
        x: { time: true },
        y: range ? { range } : { range: (_u, min, max) => [Math.min(0, min), Math.max(max, ...thresholds.map((t) => t.value)) * 1.1 || 1] },
      },
      series: [
        {},
        { label, stroke: COLOURS.series, width: 1.5, spanGaps: false, points: { show: x.length < 60 } },
        ...thresholds.map((t) => ({
          label: t.label,
          stroke: COLOURS[t.level],
          width: 1,
          dash: t.level === 'poor' ? [8, 4] : [2, 4],
          points: { show: false },
        })),
      ],
      axes: [axis, { ...axis, size: 56 }],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
    };
    const plot = new uPlot(opts, data, el);
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(240, el.clientWidth), height: HEIGHT }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [x, y, label, thresholds, range]);
  return <div class="chart__canvas" ref={holder} aria-hidden="true" />;
}
