/**
 * The call-quality thresholds the diagnostics charts draw, from docs/architecture.md §6 (Twilio's
 * network-quality warnings): RTT > 400 ms, jitter > 30 ms, packet loss > 1 % (in 3 of 5
 * samples) or > 3 % (average), MOS < 3.0. The numbers are the ones the rest of the product
 * already uses, not copies: `src/format/quality.ts` (`QUALITY_THRESHOLDS`, what the popup
 * flags, loss 1 %) and `src/session/call-quality.ts` (`POOR_*`, what makes health degraded,
 * loss 3 %).
 */
import { QUALITY_THRESHOLDS } from '../format/quality';
import { POOR_JITTER_MS, POOR_MOS, POOR_PACKET_LOSS_PCT, POOR_RTT_MS } from '../session/call-quality';

/** The four charted metrics, keys of `pc-stats` (src/protocol/page.ts `PcStatsObservation`). */
export type ChartMetric = 'rttMs' | 'jitterMs' | 'packetLossPct' | 'mos';

/** The charts' order on the page. */
export const CHART_METRICS: readonly ChartMetric[] = ['rttMs', 'jitterMs', 'packetLossPct', 'mos'];

/** A threshold line: `value` in the metric's unit; `worse` says which side is bad. */
export interface ChartThreshold {
  /** `warn` = worth a look (popup flag); `poor` = health degraded. */
  level: 'warn' | 'poor';
  value: number;
  worse: 'above' | 'below';
}

/** Threshold lines per metric (one value may serve both levels: drawn once, as `poor`). */
export const CHART_THRESHOLDS: Readonly<Record<ChartMetric, readonly ChartThreshold[]>> = {
  rttMs: [{ level: 'poor', value: POOR_RTT_MS, worse: 'above' }],
  jitterMs: [{ level: 'poor', value: POOR_JITTER_MS, worse: 'above' }],
  packetLossPct: [
    { level: 'warn', value: QUALITY_THRESHOLDS.packetLossPct, worse: 'above' },
    { level: 'poor', value: POOR_PACKET_LOSS_PCT, worse: 'above' },
  ],
  mos: [{ level: 'poor', value: POOR_MOS, worse: 'below' }],
};

/** Which side of a metric is bad: worst-of-bucket downsampling keeps that side. */
export const WORSE_SIDE: Readonly<Record<ChartMetric, 'high' | 'low'>> = {
  rttMs: 'high',
  jitterMs: 'high',
  packetLossPct: 'high',
  mos: 'low',
};
