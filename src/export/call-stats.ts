/**
 * Quality summaries of calls for the export bundle: for every peer connection with stored
 * `pc-stats` samples (the probe's compact `getStats()` summaries, src/quality/stats-summary.ts),
 * the distribution of RTT, jitter, packet loss and MOS, and how many samples crossed the
 * quality thresholds (src/format/quality.ts, Twilio's, docs/architecture.md §6).
 *
 * A sample stored without a MOS but with RTT, jitter and loss gets one from the same
 * simplified E-model the probe uses (src/quality/mos.ts), so old and new samples agree.
 */
import { QUALITY_THRESHOLDS } from '../format/quality';
import { estimateMos } from '../quality/mos';
import type { StatsSummary } from '../quality/stats-summary';
import type { CallStats, MetricSummary } from './bundle-schema';

/** The parts of a stored event this module reads. */
export interface StatsEventLike {
  tabId: number;
  at: number;
  type: string;
  data: Record<string, unknown>;
}

type Metric = 'rttMs' | 'jitterMs' | 'packetLossPct' | 'mos';

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A stored `pc-stats` event's figures, or null when it is not one (or has no `pcId`). */
function sampleOf(e: StatsEventLike): (Pick<StatsSummary, Metric | 'inboundAudioBytes'> & { pcId: string }) | null {
  if (e.type !== 'pc-stats' || typeof e.data.pcId !== 'string') return null;
  const rttMs = finite(e.data.rttMs);
  const jitterMs = finite(e.data.jitterMs);
  const packetLossPct = finite(e.data.packetLossPct);
  let mos = finite(e.data.mos);
  if (mos === null && rttMs !== null && jitterMs !== null && packetLossPct !== null) {
    mos = Math.round(estimateMos({ rttMs, jitterMs, packetLossPct }) * 100) / 100;
  }
  return { pcId: e.data.pcId, rttMs, jitterMs, packetLossPct, mos, inboundAudioBytes: finite(e.data.inboundAudioBytes) ?? 0 };
}

/**
 * Median of sorted values (mean of the two middle ones for an even count); null when empty.
 * @param sorted ascending
 */
export function median(sorted: readonly number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Percentile by the nearest-rank method (the smallest value with at least p % of the values
 * at or below it); null when empty.
 * @param sorted ascending
 * @param p 0 < p ≤ 100
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

const round = (v: number | null, digits: number): number | null => {
  if (v === null) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

function summarize(values: number[], beyond: (v: number) => boolean, digits: number): MetricSummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    median: round(median(sorted), digits),
    p95: round(percentile(sorted, 95), digits),
    min: round(sorted[0] ?? null, digits),
    max: round(sorted[sorted.length - 1] ?? null, digits),
    beyondThreshold: sorted.filter(beyond).length,
  };
}

/**
 * One summary per (tab, peer connection) with at least one `pc-stats` sample among `events`,
 * ordered by first sample. Other events are ignored; the input order does not matter.
 */
export function summarizeCalls(events: readonly StatsEventLike[]): CallStats[] {
  interface Acc {
    tabId: number;
    pcId: string;
    firstAt: number;
    lastAt: number;
    samples: number;
    values: Record<Metric, number[]>;
    inboundAudioBytes: number;
  }
  const byCall = new Map<string, Acc>();
  for (const e of events) {
    const s = sampleOf(e);
    if (!s) continue;
    const key = `${e.tabId}\u0000${s.pcId}`;
    let acc = byCall.get(key);
    if (!acc) {
      acc = {
        tabId: e.tabId,
        pcId: s.pcId,
        firstAt: e.at,
        lastAt: e.at,
        samples: 0,
        values: { rttMs: [], jitterMs: [], packetLossPct: [], mos: [] },
        inboundAudioBytes: 0,
      };
      byCall.set(key, acc);
    }
    acc.samples += 1;
    acc.firstAt = Math.min(acc.firstAt, e.at);
    if (e.at >= acc.lastAt) {
      acc.lastAt = e.at;
      acc.inboundAudioBytes = s.inboundAudioBytes;
    }
    for (const m of ['rttMs', 'jitterMs', 'packetLossPct', 'mos'] as const) {
      const v = s[m];
      if (v !== null) acc.values[m].push(v);
    }
  }
  const t = QUALITY_THRESHOLDS;
  return [...byCall.values()]
    .sort((a, b) => a.firstAt - b.firstAt || a.tabId - b.tabId)
    .map((a) => ({
      tabId: a.tabId,
      pcId: a.pcId,
      firstAt: a.firstAt,
      lastAt: a.lastAt,
      samples: a.samples,
      rttMs: summarize(a.values.rttMs, (v) => v > t.rttMs, 1),
      jitterMs: summarize(a.values.jitterMs, (v) => v > t.jitterMs, 1),
      packetLossPct: summarize(a.values.packetLossPct, (v) => v > t.packetLossPct, 2),
      mos: summarize(a.values.mos, (v) => v < t.mos, 2),
      inboundAudioBytes: a.inboundAudioBytes,
    }));
}
