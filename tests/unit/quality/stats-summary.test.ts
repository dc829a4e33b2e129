import { describe, expect, it } from 'vitest';
import { summarizeStats } from '../../../src/quality/stats-summary';
import type { StatsEntry } from '../../../src/quality/stats-summary';
import { estimateMos } from '../../../src/quality/mos';

/** A Chrome-shaped audio call report: seconds for times, cumulative counters. */
function report(o: { received: number; lost: number; jitter?: number; rtt?: number; inBytes?: number; outBytes?: number }): StatsEntry[] {
  return [
    { type: 'transport', id: 'T01', selectedCandidatePairId: 'CP1' },
    { type: 'candidate-pair', id: 'CP0', nominated: false, state: 'failed', currentRoundTripTime: 9 },
    { type: 'candidate-pair', id: 'CP1', nominated: true, state: 'succeeded', currentRoundTripTime: o.rtt ?? 0.05 },
    {
      type: 'inbound-rtp',
      id: 'IA',
      kind: 'audio',
      jitter: o.jitter ?? 0.004,
      packetsReceived: o.received,
      packetsLost: o.lost,
      bytesReceived: o.inBytes ?? 1000,
    },
    { type: 'inbound-rtp', id: 'IV', kind: 'video', jitter: 0.5, packetsReceived: 10, packetsLost: 90, bytesReceived: 99 },
    { type: 'outbound-rtp', id: 'OA', kind: 'audio', bytesSent: o.outBytes ?? 2000 },
    { type: 'outbound-rtp', id: 'OV', kind: 'video', bytesSent: 5 },
  ];
}

describe('summarizeStats', () => {
  it('summarizes audio only, in ms, with the selected pair RTT', () => {
    const { summary, sample } = summarizeStats(report({ received: 98, lost: 2 }), null);
    expect(summary).toEqual({
      rttMs: 50,
      jitterMs: 4,
      packetLossPct: 2,
      mos: Math.round(estimateMos({ rttMs: 50, jitterMs: 4, packetLossPct: 2 }) * 100) / 100,
      inboundAudioBytes: 1000,
      outboundAudioBytes: 2000,
    });
    expect(sample).toEqual({ packetsReceived: 98, packetsLost: 2 });
  });

  it('computes loss over the interval since the previous sample', () => {
    const first = summarizeStats(report({ received: 100, lost: 0 }), null);
    const second = summarizeStats(report({ received: 190, lost: 10 }), first.sample);
    expect(second.summary.packetLossPct).toBe(10); // 10 lost of 100 expected in the interval
    const third = summarizeStats(report({ received: 290, lost: 10 }), second.sample);
    expect(third.summary.packetLossPct).toBe(0);
  });

  it('clamps a falling lost counter (duplicates) at zero and restarts on a new stream', () => {
    const prev = { packetsReceived: 100, packetsLost: 5 };
    expect(summarizeStats(report({ received: 150, lost: 3 }), prev).summary.packetLossPct).toBe(0);
    // packetsReceived went backwards: a new stream, so the whole stream counts.
    expect(summarizeStats(report({ received: 9, lost: 1 }), prev).summary.packetLossPct).toBe(10);
  });

  it('reports null loss and MOS when no packet was expected', () => {
    const prev = { packetsReceived: 100, packetsLost: 0 };
    const { summary } = summarizeStats(report({ received: 100, lost: 0 }), prev);
    expect(summary.packetLossPct).toBeNull();
    expect(summary.mos).toBeNull();
  });

  it('falls back to the nominated pair, then remote-inbound-rtp, for RTT', () => {
    const nominated = summarizeStats(
      [{ type: 'candidate-pair', id: 'a', nominated: true, state: 'succeeded', currentRoundTripTime: 0.0123 }],
      null,
    );
    expect(nominated.summary.rttMs).toBe(12.3);
    const remote = summarizeStats([{ type: 'remote-inbound-rtp', id: 'r', kind: 'audio', roundTripTime: 0.2 }], null);
    expect(remote.summary.rttMs).toBe(200);
  });

  it('is all null and zero on an empty report', () => {
    expect(summarizeStats([], null)).toEqual({
      summary: { rttMs: null, jitterMs: null, packetLossPct: null, mos: null, inboundAudioBytes: 0, outboundAudioBytes: 0 },
      sample: { packetsReceived: 0, packetsLost: 0 },
    });
  });

  it('ignores non-numeric fields and takes the worst jitter of several audio streams', () => {
    const { summary } = summarizeStats(
      [
        { type: 'inbound-rtp', kind: 'audio', jitter: 'x', packetsReceived: 10, packetsLost: 0, bytesReceived: 5 },
        { type: 'inbound-rtp', mediaType: 'audio', jitter: 0.02, packetsReceived: 10, packetsLost: 0, bytesReceived: 7 },
        { type: 'inbound-rtp', kind: 'audio', jitter: 0.01, packetsReceived: Number.NaN, bytesReceived: 1 },
      ],
      null,
    );
    expect(summary.jitterMs).toBe(20);
    expect(summary.inboundAudioBytes).toBe(13);
    expect(summary.packetLossPct).toBe(0);
    expect(summary.mos).toBeNull(); // no RTT yet
  });
});
