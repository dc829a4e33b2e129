import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { STATS_POST_EVERY, createStatsReporter, poorSummary } from '../../../src/quality/stats-reporting';
import { poorQuality } from '../../../src/session/call-quality';

const good = { rttMs: 40, jitterMs: 3, packetLossPct: 0, mos: 4.4 };
const poor = { rttMs: 40, jitterMs: 45, packetLossPct: 0, mos: 4.1 };

describe('stats reporting', () => {
  it('posts the first summary, then one good summary in STATS_POST_EVERY', () => {
    const r = createStatsReporter();
    const posted = Array.from({ length: 3 * STATS_POST_EVERY }, () => r.shouldPost(good));
    expect(posted.filter(Boolean)).toHaveLength(3);
    expect(posted[0]).toBe(true);
    expect(posted[STATS_POST_EVERY]).toBe(true);
    expect(posted[1]).toBe(false);
  });

  it('counts poll intervals: summaries two intervals apart post a good one every third summary', () => {
    const r = createStatsReporter();
    const posted = Array.from({ length: 9 }, () => r.shouldPost(good, 2));
    expect(posted).toEqual([true, false, false, true, false, false, true, false, false]);
    // a poor summary is posted whatever its interval
    expect(r.shouldPost(poor, 2)).toBe(true);
  });

  it('says how many intervals remain until a good summary is posted, so polls timed by it keep the 5-interval cadence', () => {
    const r = createStatsReporter();
    expect(r.shouldPost(good)).toBe(true);
    expect(r.intervalsToPost()).toBe(STATS_POST_EVERY);
    // Polls two intervals apart, never past the due one: 2 + 2 + 1.
    const spans: number[] = [];
    const posted: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      const span = Math.min(2, r.intervalsToPost());
      spans.push(span);
      posted.push(r.shouldPost(good, span));
    }
    expect(spans).toEqual([2, 2, 1, 2, 2, 1]);
    expect(posted).toEqual([false, false, true, false, false, true]);
  });

  it('posts every poor summary and the first good one after them', () => {
    const r = createStatsReporter();
    expect(r.shouldPost(good)).toBe(true);
    expect(r.shouldPost(good)).toBe(false);
    expect([r.shouldPost(poor), r.shouldPost(poor), r.shouldPost(good), r.shouldPost(good)]).toEqual([true, true, true, false]);
  });

  it('agrees with the health sentence on what is poor', () => {
    const metric = fc.option(fc.double({ min: 0, max: 1000, noNaN: true }), { nil: null });
    fc.assert(
      fc.property(
        metric,
        metric,
        metric,
        fc.option(fc.double({ min: 1, max: 5, noNaN: true }), { nil: null }),
        (rttMs, jitterMs, packetLossPct, mos) => {
          const s = { rttMs, jitterMs, packetLossPct, mos };
          expect(poorSummary(s)).toBe(poorQuality({ ...s, statsAt: 1, connectionState: 'connected' }).length > 0);
        },
      ),
    );
  });

  it('never lets the worker’s latest sample be a stale verdict: after any sequence, a change of verdict is posted', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }), (verdicts) => {
        const r = createStatsReporter();
        let lastPostedPoor: boolean | null = null;
        verdicts.forEach((isPoor) => {
          const post = r.shouldPost(isPoor ? poor : good);
          if (lastPostedPoor !== null && lastPostedPoor !== isPoor) expect(post).toBe(true);
          if (post) lastPostedPoor = isPoor;
        });
      }),
    );
  });

  it('rejects a nonsense cadence', () => {
    expect(() => createStatsReporter(0)).toThrow(RangeError);
    expect(createStatsReporter(1).shouldPost(good)).toBe(true);
  });
});
