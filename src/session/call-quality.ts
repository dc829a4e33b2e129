/**
 * Poor call quality, judged on the latest `getStats()` sample of the peer connection in the
 * media view.
 *
 * Thresholds: docs/architecture.md §6, taken from Twilio's network-quality warnings (Voice Insights SDK
 * events, https://www.twilio.com/docs/voice/insights/call-quality-events-twilio-client-sdk:
 * `high-rtt` RTT > 400 ms, `high-jitter` jitter > 30 ms, `high-packet-loss` loss > 3 %
 * average, `low-mos`). Twilio raises most of them on 3 of the last 5 samples and its `low-mos`
 * threshold is 3.5; this product uses MOS < 3.0 (docs/architecture.md §6) and a single sample, because
 * the health badge follows the state and the probe already smooths loss over its poll interval.
 */
import type { MediaView } from './types';

/** Round-trip time above which quality is poor, ms. */
export const POOR_RTT_MS = 400;
/** Inbound audio jitter above which quality is poor, ms. */
export const POOR_JITTER_MS = 30;
/** Packet loss above which quality is poor, percent of expected packets. */
export const POOR_PACKET_LOSS_PCT = 3;
/** Mean opinion score (1–5, simplified E-model) below which quality is poor. */
export const POOR_MOS = 3.0;

function round(value: number, digits: number): string {
  return value.toFixed(digits).replace(/\.0+$/, '');
}

/** The four metrics a quality threshold applies to (null = not measured). */
export type QualityMetrics = Pick<MediaView, 'rttMs' | 'jitterMs' | 'packetLossPct' | 'mos'>;

/** A metric over (or, for MOS, under) its threshold. */
export type PoorMetric = 'rtt' | 'jitter' | 'loss' | 'mos';

/**
 * The metrics of `m` that cross their thresholds ({@link POOR_RTT_MS}, {@link POOR_JITTER_MS},
 * {@link POOR_PACKET_LOSS_PCT}, {@link POOR_MOS}), in that order; empty when all are fine or
 * unmeasured. The one test of "poor" shared by the health sentence and the probe's choice of
 * which stats to post (src/quality/stats-reporting.ts).
 */
export function poorMetrics(m: QualityMetrics): PoorMetric[] {
  const poor: PoorMetric[] = [];
  if (m.rttMs != null && m.rttMs > POOR_RTT_MS) poor.push('rtt');
  if (m.jitterMs != null && m.jitterMs > POOR_JITTER_MS) poor.push('jitter');
  if (m.packetLossPct != null && m.packetLossPct > POOR_PACKET_LOSS_PCT) poor.push('loss');
  if (m.mos != null && m.mos < POOR_MOS) poor.push('mos');
  return poor;
}

/**
 * The metrics of the latest sample that cross a threshold, as short phrases for the health
 * sentence (e.g. `["jitter 45 ms", "loss 4.2 %"]`); empty when quality is fine, when no sample
 * exists, or when the connection in the view is `closed` or `failed` (its last sample is history).
 */
export function poorQuality(media: MediaView): string[] {
  if (media.statsAt === undefined) return [];
  if (media.connectionState === 'closed' || media.connectionState === 'failed') return [];
  if (media.iceConnectionState === 'closed' || media.iceConnectionState === 'failed') return [];
  return poorMetrics(media).map((metric) => {
    switch (metric) {
      case 'rtt':
        return `round trip ${round(media.rttMs!, 0)} ms`;
      case 'jitter':
        return `jitter ${round(media.jitterMs!, 0)} ms`;
      case 'loss':
        return `loss ${round(media.packetLossPct!, 1)} %`;
      case 'mos':
        return `MOS ${round(media.mos!, 1)}`;
    }
  });
}
