/**
 * Call-quality series for the charts, from stored `pc-stats` events (src/protocol/page.ts
 * `PcStatsObservation`; the probe posts a good call's summary about every 5 s and every summary of a
 * poor call, src/quality/stats-reporting.ts).
 * A "call" is one peer connection (`pcId`); its samples are sorted by time.
 */
import type { StoredEvent } from '../protocol/ui';
import { CHART_METRICS, type ChartMetric } from './chart-thresholds';

/** One `pc-stats` sample: epoch ms and the four metrics (null = not measured). */
export interface StatsPoint {
  at: number;
  rttMs: number | null;
  jitterMs: number | null;
  packetLossPct: number | null;
  mos: number | null;
}

/** The samples of one peer connection, oldest first. */
export interface CallSeries {
  pcId: string;
  /** Epoch ms of the first and last sample. */
  start: number;
  end: number;
  points: StatsPoint[];
}

const metric = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The `pc-stats` sample of a stored event, or null for any other or malformed event.
 */
export function statsPoint(event: StoredEvent): StatsPoint | null {
  if (event.type !== 'pc-stats' || typeof event.at !== 'number' || !Number.isFinite(event.at)) return null;
  const d = event.data ?? {};
  return { at: event.at, rttMs: metric(d.rttMs), jitterMs: metric(d.jitterMs), packetLossPct: metric(d.packetLossPct), mos: metric(d.mos) };
}

/**
 * Groups `pc-stats` events into calls (by `pcId`), newest call first (by its last sample);
 * other events are ignored. Does not mutate.
 */
export function callsFromEvents(events: Iterable<StoredEvent>): CallSeries[] {
  const byPc = new Map<string, StatsPoint[]>();
  for (const e of events) {
    const p = statsPoint(e);
    if (!p) continue;
    const pcId = typeof e.data?.pcId === 'string' ? e.data.pcId : '';
    let list = byPc.get(pcId);
    if (!list) byPc.set(pcId, (list = []));
    list.push(p);
  }
  const calls: CallSeries[] = [];
  for (const [pcId, points] of byPc) {
    points.sort((a, b) => a.at - b.at);
    calls.push({ pcId, start: points[0]!.at, end: points[points.length - 1]!.at, points });
  }
  return calls.sort((a, b) => b.end - a.end);
}

/**
 * Columns for uPlot: `x` in seconds since the epoch (uPlot's time axis unit), one array per
 * metric, all the same length; null where the sample did not measure the metric.
 */
export interface ChartColumns {
  x: number[];
  values: Record<ChartMetric, (number | null)[]>;
}

/** The points as chart columns. */
export function toColumns(points: readonly StatsPoint[]): ChartColumns {
  const values = Object.fromEntries(CHART_METRICS.map((m) => [m, points.map((p) => p[m])])) as ChartColumns['values'];
  return { x: points.map((p) => p.at / 1000), values };
}
