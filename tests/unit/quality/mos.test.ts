import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { estimateMos, mosFromR, rFactor } from '../../../src/quality/mos';

describe('mosFromR (ITU-T G.107 Annex B eq. B-4)', () => {
  it('maps known ratings', () => {
    expect(mosFromR(0)).toBe(1);
    expect(mosFromR(-5)).toBe(1);
    expect(mosFromR(Number.NaN)).toBe(1);
    expect(mosFromR(50)).toBeCloseTo(2.575, 6); // 1 + 1.75 − 0.175
    expect(mosFromR(60)).toBeCloseTo(3.1, 6); // cubic term vanishes at R = 60
    expect(mosFromR(80)).toBeCloseTo(4.024, 6); // 1 + 2.8 + 7e-6·80·20·20
    expect(mosFromR(93.2)).toBeCloseTo(4.409, 3);
    expect(mosFromR(100)).toBe(4.5);
    expect(mosFromR(130)).toBe(4.5);
  });

  it('is monotonic and bounded on 0…100', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const mlo = mosFromR(lo);
        const mhi = mosFromR(hi);
        return mlo <= mhi + 1e-12 && mlo >= 1 && mhi <= 4.5;
      }),
    );
  });
});

describe('rFactor (simplified E-model)', () => {
  it('charges 10 ms of codec delay on a perfect network', () => {
    expect(rFactor({ rttMs: 0, jitterMs: 0, packetLossPct: 0 })).toBeCloseTo(93.2 - 10 / 40, 10);
  });

  it('uses one-way delay rtt/2 and doubles jitter', () => {
    // L = 100/2 + 2·20 + 10 = 100 ms < 160 → Id = 2.5
    expect(rFactor({ rttMs: 100, jitterMs: 20, packetLossPct: 0 })).toBeCloseTo(90.7, 10);
    // L = 400/2 + 2·30 + 10 = 270 ms ≥ 160 → Id = 15
    expect(rFactor({ rttMs: 400, jitterMs: 30, packetLossPct: 0 })).toBeCloseTo(78.2, 10);
  });

  it('charges 2.5 per percent of loss and clamps odd inputs', () => {
    expect(rFactor({ rttMs: 0, jitterMs: 0, packetLossPct: 10 })).toBeCloseTo(92.95 - 25, 10);
    expect(rFactor({ rttMs: -50, jitterMs: -1, packetLossPct: -3 })).toBeCloseTo(92.95, 10);
    expect(rFactor({ rttMs: 0, jitterMs: 0, packetLossPct: 400 })).toBeCloseTo(92.95 - 250, 10);
  });
});

describe('estimateMos', () => {
  it('gives the known points', () => {
    expect(estimateMos({ rttMs: 0, jitterMs: 0, packetLossPct: 0 })).toBeCloseTo(4.404, 3);
    // Twilio's warning thresholds (RTT 400 ms, jitter 30 ms, loss 3 %) land below MOS 3.5.
    const atThresholds = estimateMos({ rttMs: 400, jitterMs: 30, packetLossPct: 3 });
    expect(atThresholds).toBeCloseTo(mosFromR(78.2 - 7.5), 10);
    expect(atThresholds).toBeLessThan(3.7);
    expect(estimateMos({ rttMs: 0, jitterMs: 0, packetLossPct: 100 })).toBe(1);
  });

  it('never rises when the network gets worse', () => {
    const metric = fc.record({
      rttMs: fc.double({ min: 0, max: 5000, noNaN: true }),
      jitterMs: fc.double({ min: 0, max: 1000, noNaN: true }),
      packetLossPct: fc.double({ min: 0, max: 100, noNaN: true }),
    });
    fc.assert(
      fc.property(metric, metric, (a, b) => {
        const worse = {
          rttMs: Math.max(a.rttMs, b.rttMs),
          jitterMs: Math.max(a.jitterMs, b.jitterMs),
          packetLossPct: Math.max(a.packetLossPct, b.packetLossPct),
        };
        const m = estimateMos(worse);
        return m <= estimateMos(a) + 1e-9 && m >= 1 && m <= 4.5;
      }),
    );
  });
});
