/**
 * The text alternative of a quality chart: how many samples, the median and the worst value,
 * and how many samples were on the bad side of each threshold — what a screen-reader user
 * (or a ticket) needs instead of the picture.
 */
import type { StatsPoint } from './chart-series';
import { CHART_THRESHOLDS, WORSE_SIDE, type ChartMetric } from './chart-thresholds';

/** Figures of one metric over a call (raw samples, not downsampled). */
export interface MetricSummary {
  metric: ChartMetric;
  /** Samples that measured the metric. */
  samples: number;
  /** Median (the lower middle value for an even count); null without samples. */
  median: number | null;
  /** The worst value: highest, or lowest for MOS; null without samples. */
  worst: number | null;
  /** Per threshold (same order as `CHART_THRESHOLDS[metric]`): samples on its bad side (strictly). */
  beyond: { value: number; level: 'warn' | 'poor'; worse: 'above' | 'below'; count: number }[];
}

/** Summarizes one metric of a call's samples. */
export function summarizeMetric(points: readonly StatsPoint[], metric: ChartMetric): MetricSummary {
  const values = points.map((p) => p[metric]).filter((v): v is number => v !== null);
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted.length === 0 ? null : sorted[Math.floor((sorted.length - 1) / 2)]!;
  const worst = sorted.length === 0 ? null : WORSE_SIDE[metric] === 'high' ? sorted[sorted.length - 1]! : sorted[0]!;
  const beyond = CHART_THRESHOLDS[metric].map((th) => ({
    value: th.value,
    level: th.level,
    worse: th.worse,
    count: values.filter((v) => (th.worse === 'above' ? v > th.value : v < th.value)).length,
  }));
  return { metric, samples: values.length, median, worst, beyond };
}
