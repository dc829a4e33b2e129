/**
 * Downsampling of long call-quality series so a chart draws at most a few thousand points
 * whatever the length of the call.
 *
 * Method: fixed time buckets, *worst of bucket* per metric — the highest RTT, jitter and loss,
 * the lowest MOS — at the bucket's first sample time. Averaging (or LTTB, which keeps visual
 * shape) would shave off the short spikes a diagnosis is looking for; keeping the bad side
 * means every threshold crossing in the raw data still crosses the drawn threshold.
 */
import { CHART_METRICS, WORSE_SIDE } from './chart-thresholds';
import type { StatsPoint } from './chart-series';

/** Default largest number of points drawn per chart. */
export const MAX_CHART_POINTS = 1500;

/**
 * At most `maxPoints` points, oldest first.
 * @param points samples sorted by `at` (oldest first)
 * @param maxPoints ≥ 1; the input is returned as is when it is not longer
 * @throws RangeError when `maxPoints` is not a positive integer
 */
export function downsampleWorst(points: readonly StatsPoint[], maxPoints = MAX_CHART_POINTS): readonly StatsPoint[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new RangeError(`maxPoints must be a positive integer, got ${maxPoints}`);
  if (points.length <= maxPoints) return points;
  const first = points[0]!.at;
  const span = points[points.length - 1]!.at - first;
  // Time buckets, not count buckets: a gap in the samples stays a gap on the chart.
  const width = span / maxPoints || 1;
  const out: StatsPoint[] = [];
  let current: StatsPoint | null = null;
  let bucket = -1;
  for (const p of points) {
    const b = Math.min(maxPoints - 1, Math.floor((p.at - first) / width));
    if (b !== bucket || current === null) {
      if (current) out.push(current);
      current = { ...p };
      bucket = b;
      continue;
    }
    for (const m of CHART_METRICS) {
      const v = p[m];
      const held = current[m];
      if (v === null) continue;
      if (held === null || (WORSE_SIDE[m] === 'high' ? v > held : v < held)) current[m] = v;
    }
  }
  if (current) out.push(current);
  return out;
}
