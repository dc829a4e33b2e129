/**
 * The calls of one tab for the quality charts: every stored `pc-stats` event of the tab,
 * read in chunks (the tab may have 100,000 events; only the samples are kept), then new ones
 * every {@link STATS_POLL_MS} while the page is open, so a call in progress keeps drawing.
 */
import { useEffect, useState } from 'preact/hooks';
import type { StoredEvent } from '../../src/protocol/ui';
import { callsFromEvents, type CallSeries } from '../../src/diagnostics/chart-series';
import { scanTabEvents } from './data/event-pages';

/** How often newly stored samples are read, ms. */
export const STATS_POLL_MS = 5000;

/** The charts' data. */
export interface CallStatsFeed {
  /** Newest call first; empty until read or when none. */
  calls: CallSeries[];
  /** True until the first full read is done. */
  reading: boolean;
  /** Events read so far by the first scan (progress). */
  scanned: number;
  error: boolean;
}

/** Scans the tab's stored events for call statistics. */
export function useCallStats(tabId: number | null): CallStatsFeed {
  const [feed, setFeed] = useState<CallStatsFeed>({ calls: [], reading: tabId !== null, scanned: 0, error: false });
  useEffect(() => {
    setFeed({ calls: [], reading: tabId !== null, scanned: 0, error: false });
    if (tabId === null) return;
    const abort = new AbortController();
    const samples: StoredEvent[] = [];
    let scanned = 0;
    let last = -1;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const collect = (chunk: StoredEvent[]): void => {
      scanned += chunk.length;
      for (const e of chunk) if (e.type === 'pc-stats') samples.push(e);
    };
    const scan = async (first: boolean): Promise<void> => {
      try {
        const before = samples.length;
        last = await scanTabEvents(
          tabId,
          last,
          (chunk) => {
            collect(chunk);
            if (first) setFeed((prev) => ({ ...prev, scanned }));
          },
          abort.signal,
        );
        if (abort.signal.aborted) return;
        if (first || samples.length !== before) setFeed({ calls: callsFromEvents(samples), reading: false, scanned, error: false });
      } catch {
        if (!abort.signal.aborted) setFeed((prev) => ({ ...prev, reading: false, error: true }));
      }
      if (!abort.signal.aborted) timer = setTimeout(() => void scan(false), STATS_POLL_MS);
    };
    void scan(true);
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [tabId]);
  return feed;
}
