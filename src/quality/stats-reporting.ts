/**
 * Which `getStats()` summaries the probe posts. It polls every `statsIntervalMs` (1 s by
 * default) so a degradation is seen within a second, but a summary of a good call carries
 * little news: while quality is fine only every {@link STATS_POST_EVERY}-th summary is posted
 * (the first one at once). A poor summary — one that crosses a threshold of
 * src/session/call-quality.ts (RTT > 400 ms, jitter > 30 ms, loss > 3 %, MOS < 3.0, Twilio's
 * call-quality warnings, docs/architecture.md §6) — is always posted, and so is the first good one after a
 * poor one, so the health the worker shows follows the call within one poll both ways. Each
 * posted summary travels page → relay → worker and is stored; the rest cost only the poll.
 * The count is of poll intervals, not summaries: a quiet call that the probe polls less often
 * (extension/page/peer-connection-hook.ts, which times its polls by {@link StatsReporter.intervalsToPost})
 * still posts a good summary every 5 s.
 */
import { POOR_JITTER_MS, POOR_MOS, POOR_PACKET_LOSS_PCT, POOR_RTT_MS } from '../session/call-quality';
import type { StatsSummary } from './stats-summary';

/** While quality is fine, a summary is posted once this many poll intervals passed since the last post (5 s at the default 1 s poll). */
export const STATS_POST_EVERY = 5;

/**
 * True when a metric of `s` crosses its threshold: the same test as `poorMetrics(s).length > 0`
 * (the health sentence's, src/session/call-quality.ts), without building the list in the page.
 */
export function poorSummary(s: Pick<StatsSummary, 'rttMs' | 'jitterMs' | 'packetLossPct' | 'mos'>): boolean {
  return (
    (s.rttMs != null && s.rttMs > POOR_RTT_MS) ||
    (s.jitterMs != null && s.jitterMs > POOR_JITTER_MS) ||
    (s.packetLossPct != null && s.packetLossPct > POOR_PACKET_LOSS_PCT) ||
    (s.mos != null && s.mos < POOR_MOS)
  );
}

/** The posting decision of one peer connection's summaries, in poll order. */
export interface StatsReporter {
  /**
   * Whether to post `summary`, the newest of this connection; call once per summary.
   * @param intervals how many poll intervals it covers (a quiet call is polled less often); 1 by default
   */
  shouldPost(summary: Pick<StatsSummary, 'rttMs' | 'jitterMs' | 'packetLossPct' | 'mos'>, intervals?: number): boolean;
  /** How many intervals from the last summary until a good one is posted again (≥ 1). */
  intervalsToPost(): number;
}

/**
 * @param every post a good summary once this many intervals passed since the last post (≥ 1; 1 posts all)
 * @throws {RangeError} when `every` is not an integer ≥ 1
 */
export function createStatsReporter(every: number = STATS_POST_EVERY): StatsReporter {
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`every must be an integer ≥ 1, got ${every}`);
  let sinceLastPost = every; // the first summary is posted
  let lastPostedPoor = false;
  return {
    intervalsToPost() {
      return Math.max(1, every - sinceLastPost);
    },
    shouldPost(summary, intervals = 1) {
      const poor = poorSummary(summary);
      sinceLastPost += intervals;
      if (!poor && !lastPostedPoor && sinceLastPost < every) return false;
      sinceLastPost = 0;
      lastPostedPoor = poor;
      return true;
    },
  };
}
