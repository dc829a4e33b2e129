/**
 * Reads only the stats objects {@link summarizeStats} uses from a `getStats()` report, instead
 * of every object of it. Turning a report's stats objects into JavaScript objects is what a
 * poll costs the page's main thread (docs/benchmarks.md): Chromium does it for every object
 * on `forEach` and on iterating the report's keys alike, while `get(id)` turns one. A call's
 * report holds certificates, codecs, ICE candidates and candidate pairs, the media source and
 * playout besides the RTP streams, the transport and the selected pair a summary reads.
 *
 * A stats object keeps its `id` for the lifetime of the object it describes (W3C
 * webrtc-stats §5.1: the id is stable across `getStats()` calls), so after one whole report
 * the picker knows the ids to read and takes only those, by `get`, while the report keeps its
 * size. It reads a whole report again when the size changed (a stream, a candidate or a pair
 * came or went), when an id it reads is gone, when the transport selected another pair, when
 * no selected pair gives a round-trip time (`summarizeStats` then looks at every nominated
 * pair), after {@link invalidate} (the hook calls it on renegotiation) and every
 * {@link WHOLE_EVERY}th report: what it returns summarizes as the whole report does.
 *
 * Pure apart from the ids it keeps.
 */
import type { StatsEntry } from './stats-summary';

/** What the picker needs of a report. */
export interface StatsSource {
  /** How many stats objects the report holds (`RTCStatsReport.size`). */
  size(): number;
  /** Every object (`forEach`): what one poll cost before. */
  all(): StatsEntry[];
  /** One object by id (`get`). */
  get(id: string): StatsEntry | undefined;
}

/** A whole report at least this often, whatever else holds. */
export const WHOLE_EVERY = 10;

/** The types whose objects a summary reads (candidate pairs are picked apart). */
const STREAM_TYPES: ReadonlySet<string> = new Set(['inbound-rtp', 'outbound-rtp', 'remote-inbound-rtp', 'transport']);

const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

/** Picks the entries of one connection's reports; keep one per connection. */
export interface StatsPicker {
  /**
   * @returns the objects of `report` that `summarizeStats` reads: its summary of them equals
   *   its summary of the whole report
   */
  pick(report: StatsSource): StatsEntry[];
  /** The next report is read whole (a renegotiation may have added or removed streams). */
  invalidate(): void;
}

export function createStatsPicker(): StatsPicker {
  /** The ids read by `get`, the selected pair last (null: read the next report whole). */
  let ids: string[] | null = null;
  let selectedPair: string | null = null;
  let size = -1;
  let sinceWhole = 0;

  const whole = (report: StatsSource): StatsEntry[] => {
    const all = report.all();
    const pairs = new Map<string, StatsEntry>();
    const out: StatsEntry[] = [];
    for (const e of all) {
      if (e.type === 'candidate-pair' && typeof e.id === 'string') pairs.set(e.id, e);
      else if (STREAM_TYPES.has(e.type)) out.push(e);
    }
    // The first transport whose selected pair gives a round-trip time, as summarizeStats reads it.
    let found: StatsEntry | null = null;
    for (const e of out) {
      if (e.type !== 'transport' || typeof e.selectedCandidatePairId !== 'string') continue;
      const pair = pairs.get(e.selectedCandidatePairId);
      if (pair && finite(pair.currentRoundTripTime)) {
        found = pair;
        break;
      }
    }
    size = report.size();
    sinceWhole = 0;
    const keep = out.every((e) => typeof e.id === 'string');
    if (found === null || !keep) {
      ids = null;
      selectedPair = null;
      return [...out, ...pairs.values()];
    }
    selectedPair = found.id as string;
    ids = [...out.map((e) => e.id as string), selectedPair];
    return [...out, found];
  };

  return {
    pick(report) {
      sinceWhole += 1;
      if (ids === null || sinceWhole >= WHOLE_EVERY || report.size() !== size) return whole(report);
      const out: StatsEntry[] = [];
      for (const id of ids) {
        const e = report.get(id);
        if (e === undefined) return whole(report);
        out.push(e);
      }
      const pair = out[out.length - 1];
      if (!pair || !finite(pair.currentRoundTripTime)) return whole(report);
      // An earlier transport that now names a pair, or the same transport another one: read whole.
      for (const e of out) {
        if (e.type !== 'transport' || typeof e.selectedCandidatePairId !== 'string') continue;
        if (e.selectedCandidatePairId !== selectedPair) return whole(report);
        break;
      }
      return out;
    },
    invalidate() {
      ids = null;
    },
  };
}
