import { describe, expect, it } from 'vitest';
import { callsFromEvents, statsPoint, toColumns, type StatsPoint } from '../../../src/diagnostics/chart-series';
import { downsampleWorst, MAX_CHART_POINTS } from '../../../src/diagnostics/chart-downsample';
import { summarizeMetric } from '../../../src/diagnostics/chart-summary';
import { CHART_THRESHOLDS } from '../../../src/diagnostics/chart-thresholds';
import type { StoredEvent } from '../../../src/protocol/ui';

const T0 = Date.UTC(2026, 11, 3, 12, 0, 0);
const stats = (at: number, pcId: string, rttMs: number | null, extra: Record<string, unknown> = {}): StoredEvent => ({
  tabId: 7,
  at,
  type: 'pc-stats',
  data: { pcId, rttMs, jitterMs: 4, packetLossPct: 0, mos: 4.3, inboundAudioBytes: 0, outboundAudioBytes: 0, ...extra },
});
const point = (at: number, v: Partial<StatsPoint> = {}): StatsPoint => ({ at, rttMs: 50, jitterMs: 5, packetLossPct: 0, mos: 4.3, ...v });

describe('callsFromEvents', () => {
  it('groups samples by peer connection, oldest first within a call, newest call first', () => {
    const calls = callsFromEvents([
      stats(T0 + 5000, 'pc-a', 60),
      { tabId: 7, at: T0, type: 'ws-open', data: {} },
      stats(T0, 'pc-a', 40),
      stats(T0 + 60_000, 'pc-b', 90),
    ]);
    expect(calls.map((c) => [c.pcId, c.start, c.end, c.points.map((p) => p.rttMs)])).toEqual([
      ['pc-b', T0 + 60_000, T0 + 60_000, [90]],
      ['pc-a', T0, T0 + 5000, [40, 60]],
    ]);
  });
  it('reads unmeasured and malformed metrics as null and skips events without a time', () => {
    expect(statsPoint(stats(T0, 'pc', null, { jitterMs: 'x', mos: Number.NaN }))).toEqual({
      at: T0,
      rttMs: null,
      jitterMs: null,
      packetLossPct: 0,
      mos: null,
    });
    expect(statsPoint({ tabId: 7, at: Number.NaN, type: 'pc-stats', data: {} })).toBeNull();
    expect(callsFromEvents([])).toEqual([]);
  });
  it('gives uPlot columns in seconds', () => {
    const cols = toColumns([point(T0, { rttMs: 10 }), point(T0 + 1500, { rttMs: null })]);
    expect(cols.x).toEqual([T0 / 1000, T0 / 1000 + 1.5]);
    expect(cols.values.rttMs).toEqual([10, null]);
    expect(cols.values.mos).toEqual([4.3, 4.3]);
  });
});

describe('downsampleWorst', () => {
  it('leaves short series alone', () => {
    const pts = [point(T0), point(T0 + 1000)];
    expect(downsampleWorst(pts, 10)).toBe(pts);
  });
  it('bounds the points and keeps the worst of every interval on the bad side of each metric', () => {
    const pts: StatsPoint[] = [];
    for (let i = 0; i < 100_000; i += 1) pts.push(point(T0 + i * 1000, { rttMs: 50 + (i % 10), mos: 4.3 }));
    // One short spike of each kind in the middle of a long call.
    pts[54_321] = point(pts[54_321]!.at, { rttMs: 900, jitterMs: 80, packetLossPct: 12, mos: 1.8 });
    const out = downsampleWorst(pts, 500);
    expect(out.length).toBeLessThanOrEqual(500);
    expect(out.length).toBeGreaterThan(450);
    expect(Math.max(...out.map((p) => p.rttMs!))).toBe(900);
    expect(Math.max(...out.map((p) => p.jitterMs!))).toBe(80);
    expect(Math.max(...out.map((p) => p.packetLossPct!))).toBe(12);
    expect(Math.min(...out.map((p) => p.mos!))).toBe(1.8);
    // Oldest first, strictly increasing time.
    for (let i = 1; i < out.length; i += 1) expect(out[i]!.at).toBeGreaterThan(out[i - 1]!.at);
    expect(pts[54_321]!.rttMs).toBe(900);
  });
  it('keeps a gap in the samples as a gap, and a null only where a whole interval measured nothing', () => {
    const pts = [
      point(T0, { rttMs: null }),
      point(T0 + 1, { rttMs: 70 }),
      point(T0 + 10_000, { rttMs: null }),
      point(T0 + 10_001, { rttMs: null }),
    ];
    const out = downsampleWorst(pts, 3);
    expect(out.map((p) => p.rttMs)).toEqual([70, null]);
    expect(out.map((p) => p.at)).toEqual([T0, T0 + 10_000]);
  });
  it('rejects a bad bound and has a default that fits a chart', () => {
    expect(() => downsampleWorst([], 0)).toThrow(RangeError);
    expect(() => downsampleWorst([], 2.5)).toThrow(RangeError);
    expect(MAX_CHART_POINTS).toBeLessThanOrEqual(5000);
  });
});

describe('summarizeMetric and the thresholds', () => {
  it('draws the docs/architecture.md §6 thresholds: RTT 400 ms, jitter 30 ms, loss 1 % and 3 %, MOS 3.0', () => {
    expect(CHART_THRESHOLDS.rttMs.map((t) => [t.value, t.worse])).toEqual([[400, 'above']]);
    expect(CHART_THRESHOLDS.jitterMs.map((t) => [t.value, t.worse])).toEqual([[30, 'above']]);
    expect(CHART_THRESHOLDS.packetLossPct.map((t) => [t.level, t.value])).toEqual([
      ['warn', 1],
      ['poor', 3],
    ]);
    expect(CHART_THRESHOLDS.mos.map((t) => [t.value, t.worse])).toEqual([[3, 'below']]);
  });
  it('gives samples, median, worst and the count past each threshold', () => {
    const pts = [0.5, 2, 4, null, 0].map((v, i) => point(T0 + i, { packetLossPct: v }));
    expect(summarizeMetric(pts, 'packetLossPct')).toEqual({
      metric: 'packetLossPct',
      samples: 4,
      median: 0.5,
      worst: 4,
      beyond: [
        { value: 1, level: 'warn', worse: 'above', count: 2 },
        { value: 3, level: 'poor', worse: 'above', count: 1 },
      ],
    });
    const mos = summarizeMetric(
      [4.4, 2.9, 3.0].map((v, i) => point(T0 + i, { mos: v })),
      'mos',
    );
    expect(mos).toMatchObject({ worst: 2.9, median: 3.0, beyond: [{ value: 3, count: 1 }] });
    expect(summarizeMetric([point(T0, { rttMs: null })], 'rttMs')).toMatchObject({
      samples: 0,
      median: null,
      worst: null,
      beyond: [{ count: 0 }],
    });
  });
});
