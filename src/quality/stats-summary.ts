/**
 * Compact quality summary of one RTCPeerConnection `getStats()` report (W3C
 * webrtc-stats): the numbers the health reducer and the diagnostics charts need, not the
 * raw report. Pure: the caller passes the report's entries as plain objects and the counters
 * kept from its previous call.
 *
 * Units in the report are seconds (`currentRoundTripTime`, `roundTripTime`, `jitter`) and
 * cumulative counts (`packetsReceived`, `packetsLost`, `bytesReceived`, `bytesSent`); the
 * summary is in ms, percent of the interval and bytes.
 */
import { estimateMos } from './mos';

/** One stats object of an RTCStatsReport, as a plain object (webrtc-stats §7). */
export interface StatsEntry {
  readonly type: string;
  readonly id?: string;
  readonly [key: string]: unknown;
}

/** Cumulative counters carried from one summary to the next, for per-interval loss. */
export interface StatsSample {
  /** Sum of `packetsReceived` over inbound audio RTP streams. */
  packetsReceived: number;
  /** Sum of `packetsLost` over inbound audio RTP streams (RFC 3550 cumulative lost). */
  packetsLost: number;
}

/** The `pc-stats` payload (see PcStatsObservation in src/protocol/page.ts). */
export interface StatsSummary {
  /** Round-trip time, ms; null when the report has none yet. */
  rttMs: number | null;
  /** Inbound audio interarrival jitter (RFC 3550 §6.4.1), ms; the worst stream when several. */
  jitterMs: number | null;
  /** Lost / expected inbound audio packets over the interval since `previous`, percent. */
  packetLossPct: number | null;
  /** Simplified E-model MOS (src/quality/mos.ts); null unless RTT, jitter and loss are known. */
  mos: number | null;
  /** Cumulative `bytesReceived` of inbound audio streams. */
  inboundAudioBytes: number;
  /** Cumulative `bytesSent` of outbound audio streams. */
  outboundAudioBytes: number;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const round = (v: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
const isAudio = (e: StatsEntry): boolean => (e.kind ?? e.mediaType) === 'audio';

function selectedPairRtt(entries: readonly StatsEntry[]): number | null {
  const byId = new Map<string, StatsEntry>();
  for (const e of entries) if (e.type === 'candidate-pair' && typeof e.id === 'string') byId.set(e.id, e);
  for (const e of entries) {
    if (e.type !== 'transport' || typeof e.selectedCandidatePairId !== 'string') continue;
    const rtt = num(byId.get(e.selectedCandidatePairId)?.currentRoundTripTime);
    if (rtt !== null) return rtt;
  }
  for (const e of entries) {
    if (e.type !== 'candidate-pair' || e.nominated !== true || e.state !== 'succeeded') continue;
    const rtt = num(e.currentRoundTripTime);
    if (rtt !== null) return rtt;
  }
  return null;
}

function remoteInboundRtt(entries: readonly StatsEntry[]): number | null {
  for (const e of entries) {
    if (e.type !== 'remote-inbound-rtp' || !isAudio(e)) continue;
    const rtt = num(e.roundTripTime);
    if (rtt !== null) return rtt;
  }
  return null;
}

/**
 * Summarizes one report.
 *
 * RTT: the selected candidate pair's `currentRoundTripTime` (via `transport.selectedCandidatePairId`,
 * else the nominated succeeded pair), else audio `remote-inbound-rtp.roundTripTime`.
 * Loss: Δlost / (Δlost + Δreceived) since `previous` (Δlost clamped at 0); over the whole stream
 * when `previous` is null or `packetsReceived` went backwards (a new stream); null when no
 * packet was expected.
 *
 * @param entries every stats object of the report (`report.forEach(v => entries.push(v))`)
 * @param previous the `sample` returned by the previous call for the same connection, or null
 * @returns the summary and the counters to pass as `previous` next time
 */
export function summarizeStats(
  entries: readonly StatsEntry[],
  previous: StatsSample | null,
): { summary: StatsSummary; sample: StatsSample } {
  let jitterS: number | null = null;
  let received = 0;
  let lost = 0;
  let hasInbound = false;
  let inboundBytes = 0;
  let outboundBytes = 0;

  for (const e of entries) {
    if (e.type === 'inbound-rtp' && isAudio(e)) {
      hasInbound = true;
      const j = num(e.jitter);
      if (j !== null) jitterS = jitterS === null ? j : Math.max(jitterS, j);
      received += num(e.packetsReceived) ?? 0;
      lost += num(e.packetsLost) ?? 0;
      inboundBytes += num(e.bytesReceived) ?? 0;
    } else if (e.type === 'outbound-rtp' && isAudio(e)) {
      outboundBytes += num(e.bytesSent) ?? 0;
    }
  }

  const rttS = selectedPairRtt(entries) ?? remoteInboundRtt(entries);

  let packetLossPct: number | null = null;
  if (hasInbound) {
    // packetsLost may go down (late duplicates, RFC 3550 §6.4.1); packetsReceived only resets with a new stream.
    const continues = previous !== null && received >= previous.packetsReceived;
    const dReceived = continues ? received - previous.packetsReceived : received;
    const dLost = Math.max(0, continues ? lost - previous.packetsLost : lost);
    const expected = dReceived + dLost;
    if (expected > 0) packetLossPct = round(Math.min(100, (100 * dLost) / expected), 2);
  }

  const rttMs = rttS === null ? null : round(rttS * 1000, 1);
  const jitterMs = jitterS === null ? null : round(jitterS * 1000, 1);
  const mos =
    rttMs !== null && jitterMs !== null && packetLossPct !== null ? round(estimateMos({ rttMs, jitterMs, packetLossPct }), 2) : null;

  return {
    summary: {
      rttMs,
      jitterMs,
      packetLossPct,
      mos,
      inboundAudioBytes: Math.max(0, inboundBytes),
      outboundAudioBytes: Math.max(0, outboundBytes),
    },
    sample: { packetsReceived: received, packetsLost: lost },
  };
}
