import { describe, expect, it } from 'vitest';
import { median, percentile, summarizeCalls } from '../../../src/export/call-stats';
import type { StatsEventLike } from '../../../src/export/call-stats';

const stats = (tabId: number, at: number, pcId: string, q: Record<string, number | null>): StatsEventLike => ({
  tabId,
  at,
  type: 'pc-stats',
  data: { pcId, rttMs: null, jitterMs: null, packetLossPct: null, mos: null, inboundAudioBytes: at, outboundAudioBytes: 0, ...q },
});

describe('median and percentile', () => {
  it('median: middle value, or mean of the two middle ones', () => {
    expect(median([])).toBeNull();
    expect(median([3])).toBe(3);
    expect(median([1, 2, 3, 10])).toBe(2.5);
  });
  it('percentile: nearest rank', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(values, 95)).toBe(19);
    expect(percentile(values, 100)).toBe(20);
    expect(percentile([], 95)).toBeNull();
  });
});

describe('summarizeCalls', () => {
  it('keeps calls apart by tab and peer connection, in order of their first sample', () => {
    const calls = summarizeCalls([
      stats(2, 50, 'pc1', { rttMs: 10 }),
      stats(1, 10, 'pc1', { rttMs: 20 }),
      stats(1, 20, 'pc1', { rttMs: 40 }),
      { tabId: 1, at: 15, type: 'ws-close', data: { code: 1006 } },
      stats(1, 30, 'pc2', { rttMs: 500 }),
    ]);
    expect(calls.map((c) => `${c.tabId}/${c.pcId}:${c.samples}`)).toEqual(['1/pc1:2', '1/pc2:1', '2/pc1:1']);
    expect(calls[0]).toMatchObject({
      firstAt: 10,
      lastAt: 20,
      inboundAudioBytes: 20,
      rttMs: { median: 30, min: 20, max: 40, beyondThreshold: 0 },
    });
    expect(calls[1]?.rttMs.beyondThreshold).toBe(1);
  });

  it('leaves a metric no sample had as nulls, and estimates a missing MOS only from all three inputs', () => {
    const [call] = summarizeCalls([
      stats(1, 10, 'pc1', { rttMs: 40, jitterMs: 2 }),
      stats(1, 20, 'pc1', { rttMs: 0, jitterMs: 0, packetLossPct: 0 }),
    ]);
    expect(call?.packetLossPct).toMatchObject({ samples: 1, median: 0 });
    // R = 93.2 − 10/40 = 92.95 → MOS = 1 + 3.253 + 0.151 ≈ 4.40 (G.107 Annex B, eq. B-4).
    expect(call?.mos).toMatchObject({ samples: 1, median: 4.4 });
    const [empty] = summarizeCalls([stats(1, 10, 'pc1', {})]);
    expect(empty?.rttMs).toEqual({ samples: 0, median: null, p95: null, min: null, max: null, beyondThreshold: 0 });
  });

  it('ignores stats events without a peer connection id', () => {
    expect(summarizeCalls([{ tabId: 1, at: 1, type: 'pc-stats', data: { rttMs: 1 } }])).toEqual([]);
  });
});
