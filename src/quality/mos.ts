/**
 * Mean Opinion Score estimate of a voice stream from network measurements, by the simplified
 * E-model of ITU-T G.107 as used by WebRTC monitoring services (callstats.io, Twilio Voice
 * insights, webrtc-issue-detector), after Cole & Rosenbluth, "Voice over IP performance
 * monitoring", ACM SIGCOMM CCR 31(2), 2001:
 *
 * ```
 * effective latency  L  = rtt/2 + 2·jitter + 10 ms           (one-way delay + jitter buffer + codec)
 * delay impairment   Id = L/40               when L < 160 ms
 *                         (L − 120)/10       otherwise
 * loss impairment    Ie_eff = 2.5 · loss %
 * rating             R  = 93.2 − Id − Ie_eff                 (93.2 = R for G.107 default parameters)
 * MOS                   = 1 + 0.035·R + 7·10⁻⁶·R·(R − 60)·(100 − R)   (G.107 Annex B, eq. B-4)
 * ```
 *
 * The MOS is clamped to 1…4.5 (G.107: MOS = 1 for R ≤ 0, 4.5 for R ≥ 100).
 */

/** Rating of the default G.107 connection with no delay and no loss. */
export const R_DEFAULT = 93.2;

/** Network measurements of one interval. */
export interface MosInput {
  /** Round-trip time, ms (≥ 0). */
  rttMs: number;
  /** Interarrival jitter (RFC 3550 §6.4.1), ms (≥ 0). */
  jitterMs: number;
  /** Packets lost as a percentage of packets expected, 0…100. */
  packetLossPct: number;
}

/**
 * The transmission rating R of the simplified E-model (see the module comment).
 * Negative inputs count as 0 and loss above 100 % as 100 %; the result may be below 0.
 * @throws never; non-finite inputs give NaN
 */
export function rFactor({ rttMs, jitterMs, packetLossPct }: MosInput): number {
  const rtt = Math.max(0, rttMs);
  const jitter = Math.max(0, jitterMs);
  const loss = Math.min(100, Math.max(0, packetLossPct));
  const latency = rtt / 2 + 2 * jitter + 10;
  const id = latency < 160 ? latency / 40 : (latency - 120) / 10;
  const ieEff = 2.5 * loss;
  return R_DEFAULT - id - ieEff;
}

/**
 * MOS from a rating R: ITU-T G.107 Annex B eq. (B-4), clamped to 1…4.5.
 * @returns 1 for R ≤ 0 (and for NaN), 4.5 for R ≥ 100
 */
export function mosFromR(r: number): number {
  if (!(r > 0)) return 1;
  if (r >= 100) return 4.5;
  const mos = 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
  return Math.min(4.5, Math.max(1, mos));
}

/**
 * Estimated MOS (1…4.5) of a voice stream over the interval the inputs describe.
 * @example estimateMos({ rttMs: 0, jitterMs: 0, packetLossPct: 0 }) ≈ 4.40
 */
export function estimateMos(input: MosInput): number {
  return mosFromR(rFactor(input));
}
