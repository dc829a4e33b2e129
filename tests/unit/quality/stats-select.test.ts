import { describe, expect, it } from 'vitest';
import { WHOLE_EVERY, createStatsPicker } from '../../../src/quality/stats-select';
import type { StatsSource } from '../../../src/quality/stats-select';
import { summarizeStats } from '../../../src/quality/stats-summary';
import type { StatsEntry } from '../../../src/quality/stats-summary';

/** A report over `entries` that counts whole reads and which ids were read one by one. */
function source(entries: StatsEntry[]): StatsSource & { reads: string[]; wholeReads: number } {
  const byId = new Map(entries.map((e) => [e.id as string, e]));
  const src = {
    reads: [] as string[],
    wholeReads: 0,
    size: () => byId.size,
    all() {
      src.wholeReads += 1;
      return [...byId.values()];
    },
    get(id: string) {
      src.reads.push(id);
      return byId.get(id);
    },
  };
  return src;
}

/** A Chromium-shaped audio call report, with the objects a summary does not read. */
function callReport(o: { received: number; lost: number; rtt?: number | null; selected?: string | null }): StatsEntry[] {
  return [
    { type: 'peer-connection', id: 'P' },
    { type: 'certificate', id: 'CF1', fingerprint: 'aa' },
    { type: 'codec', id: 'CIT01_111', mimeType: 'audio/opus' },
    { type: 'local-candidate', id: 'I1', address: '127.0.0.1' },
    { type: 'remote-candidate', id: 'I2', address: '127.0.0.1' },
    ...(o.selected === null
      ? [{ type: 'transport', id: 'T01' }]
      : [{ type: 'transport', id: 'T01', selectedCandidatePairId: o.selected ?? 'CP1' }]),
    { type: 'candidate-pair', id: 'CP0', nominated: true, state: 'succeeded', currentRoundTripTime: 0.2 },
    {
      type: 'candidate-pair',
      id: 'CP1',
      nominated: true,
      state: 'succeeded',
      ...(o.rtt === null ? {} : { currentRoundTripTime: o.rtt ?? 0.05 }),
    },
    { type: 'candidate-pair', id: 'CP2', nominated: false, state: 'failed', currentRoundTripTime: 9 },
    {
      type: 'inbound-rtp',
      id: 'IT01A1',
      kind: 'audio',
      jitter: 0.004,
      packetsReceived: o.received,
      packetsLost: o.lost,
      bytesReceived: 900,
    },
    { type: 'outbound-rtp', id: 'OT01A2', kind: 'audio', bytesSent: 2000 },
    { type: 'remote-inbound-rtp', id: 'RIT01A2', kind: 'audio', roundTripTime: 0.3 },
    { type: 'media-source', id: 'SA3', kind: 'audio' },
    { type: 'media-playout', id: 'AP', kind: 'audio' },
  ];
}

describe('createStatsPicker', () => {
  it('gives the summary of the whole report, poll after poll', () => {
    const picker = createStatsPicker();
    let prevFull = null;
    let prevPicked = null;
    for (const [received, lost] of [
      [100, 0],
      [150, 5],
      [210, 5],
    ] as const) {
      const full = callReport({ received, lost });
      const a = summarizeStats(full, prevFull);
      const b = summarizeStats(picker.pick(source(full)), prevPicked);
      expect(b).toEqual(a);
      prevFull = a.sample;
      prevPicked = b.sample;
    }
  });

  it('reads the first report whole, then only the streams, the transport and the selected pair', () => {
    const picker = createStatsPicker();
    const first = source(callReport({ received: 100, lost: 0 }));
    picker.pick(first);
    expect([first.wholeReads, first.reads]).toEqual([1, []]);
    const second = source(callReport({ received: 150, lost: 0 }));
    const picked = picker.pick(second);
    expect(second.wholeReads).toBe(0);
    expect(second.reads).toEqual(['T01', 'IT01A1', 'OT01A2', 'RIT01A2', 'CP1']);
    expect(picked.map((e) => e.id)).toEqual(['T01', 'IT01A1', 'OT01A2', 'RIT01A2', 'CP1']);
  });

  it(`reads a whole report every ${WHOLE_EVERY}th time, and after invalidate`, () => {
    const picker = createStatsPicker();
    const wholes: number[] = [];
    for (let i = 1; i <= 2 * WHOLE_EVERY; i++) {
      const s = source(callReport({ received: i, lost: 0 }));
      picker.pick(s);
      if (s.wholeReads > 0) wholes.push(i);
    }
    expect(wholes).toEqual([1, WHOLE_EVERY + 1]);
    picker.invalidate();
    const s = source(callReport({ received: 99, lost: 0 }));
    picker.pick(s);
    expect(s.wholeReads).toBe(1);
  });

  it('reads whole when the transport selects another pair, or an id is gone', () => {
    const picker = createStatsPicker();
    picker.pick(source(callReport({ received: 1, lost: 0 })));
    const moved = callReport({ received: 2, lost: 0, selected: 'CP0' });
    const s = source(moved);
    const picked = picker.pick(s);
    expect(s.wholeReads).toBe(1);
    expect(summarizeStats(picked, null)).toEqual(summarizeStats(moved, null));
    expect(summarizeStats(picked, null).summary.rttMs).toBe(200);
    // The same size, but the inbound stream replaced by another.
    const replaced = callReport({ received: 3, lost: 0, selected: 'CP0' }).map((e) => (e.id === 'IT01A1' ? { ...e, id: 'IT01A7' } : e));
    const r = source(replaced);
    expect(summarizeStats(picker.pick(r), null)).toEqual(summarizeStats(replaced, null));
    expect(r.wholeReads).toBe(1);
  });

  it('falls back to every candidate pair when the selected one has no round-trip time, as summarizeStats does', () => {
    const picker = createStatsPicker();
    picker.pick(source(callReport({ received: 1, lost: 0 })));
    const full = callReport({ received: 100, lost: 0, rtt: null });
    const picked = picker.pick(source(full));
    expect(picked.filter((e) => e.type === 'candidate-pair').map((e) => e.id)).toEqual(['CP0', 'CP1', 'CP2']);
    expect(summarizeStats(picked, null)).toEqual(summarizeStats(full, null));
    expect(summarizeStats(picked, null).summary.rttMs).toBe(200);
  });

  it('uses the nominated pairs when no transport names a selected pair', () => {
    const picker = createStatsPicker();
    const full = callReport({ received: 100, lost: 0, selected: null });
    expect(summarizeStats(picker.pick(source(full)), null)).toEqual(summarizeStats(full, null));
    expect(summarizeStats(picker.pick(source(full)), null)).toEqual(summarizeStats(full, null));
  });

  it('reads whole when the report grows: a new stream counts', () => {
    const picker = createStatsPicker();
    picker.pick(source(callReport({ received: 1, lost: 0 })));
    const withNew: StatsEntry[] = [
      ...callReport({ received: 2, lost: 0 }),
      { type: 'inbound-rtp', id: 'IT01A9', kind: 'audio', packetsReceived: 5, packetsLost: 5 },
    ];
    const s = source(withNew);
    expect(summarizeStats(picker.pick(s), null)).toEqual(summarizeStats(withNew, null));
    expect(s.wholeReads).toBe(1);
  });

  it('keeps reading whole while no selected pair gives a round-trip time', () => {
    const picker = createStatsPicker();
    for (let i = 0; i < 3; i++) {
      const full = callReport({ received: 10 * i, lost: 0, rtt: null });
      const s = source(full);
      expect(summarizeStats(picker.pick(s), null)).toEqual(summarizeStats(full, null));
      expect(s.wholeReads).toBe(1);
    }
  });
});
