/**
 * Poor call quality, judged on the latest `getStats()` sample of the peer connection in the
 * media view.
 *
 * Thresholds: DESIGN.md §6, taken from Twilio's network-quality warnings (Voice Insights SDK
 * events, https://www.twilio.com/docs/voice/insights/call-quality-events-twilio-client-sdk:
 * `high-rtt` RTT > 400 ms, `high-jitter` jitter > 30 ms, `high-packet-loss` loss > 3 %
 * average, `low-mos`). Twilio raises most of them on 3 of the last 5 samples and its `low-mos`
 * threshold is 3.5; this product uses MOS < 3.0 (DESIGN.md §6) and a single sample, because
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

/**
 * The metrics of the latest sample that cross a threshold, as short phrases for the health
 * sentence (e.g. `["jitter 45 ms", "loss 4.2 %"]`); empty when quality is fine, when no sample
 * exists, or when the connection in the view is `closed` or `failed` (its last sample is history).
 */
export function poorQuality(media: MediaView): string[] {
  if (media.statsAt === undefined) return [];
  if (media.connectionState === 'closed' || media.connectionState === 'failed') return [];
  if (media.iceConnectionState === 'closed' || media.iceConnectionState === 'failed') return [];
  const poor: string[] = [];
  if (media.rttMs != null && media.rttMs > POOR_RTT_MS) poor.push(`round trip ${round(media.rttMs, 0)} ms`);
  if (media.jitterMs != null && media.jitterMs > POOR_JITTER_MS) poor.push(`jitter ${round(media.jitterMs, 0)} ms`);
  if (media.packetLossPct != null && media.packetLossPct > POOR_PACKET_LOSS_PCT) {
    poor.push(`loss ${round(media.packetLossPct, 1)} %`);
  }
  if (media.mos != null && media.mos < POOR_MOS) poor.push(`MOS ${round(media.mos, 1)}`);
  return poor;
}
