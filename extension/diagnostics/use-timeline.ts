/**
 * The timeline of one tab: pages of stored events read by cursor (newest first,
 * {@link PAGE_SIZE} at a time, more on demand), the tab's incidents and recovery steps, and
 * a poll that prepends what arrived since. Only lines are kept in memory; the list renders a
 * window of them.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { StoredEvent } from '../../src/protocol/ui';
import { eventRow, incidentRows } from '../../src/diagnostics/timeline-rows';
import { mergeTimeline } from '../../src/diagnostics/timeline-merge';
import type { TimelineRow } from '../../src/diagnostics/timeline-types';
import { countTabEvents, PAGE_SIZE, readEventPage, readNewerEvents } from './data/event-pages';
import { readTabIncidents } from './data/incident-reads';
import { TIMELINE_STRINGS } from './strings';

/** How often newer events and incident updates are looked for, ms. */
export const TIMELINE_POLL_MS = 3000;

interface Loaded {
  tabId: number;
  events: TimelineRow[];
  incidents: TimelineRow[];
  /** Oldest and newest `seq` read; null before the first page. */
  oldestSeq: number | null;
  newestSeq: number | null;
  done: boolean;
  total: number | null;
}

/** What the timeline shows. */
export interface TimelineFeed {
  rows: TimelineRow[];
  loading: boolean;
  done: boolean;
  error: boolean;
  /** Events stored for the tab (counted), null until known. */
  total: number | null;
  /** Reads the next older page; no-op while one is being read or when done. */
  loadMore: () => void;
}

const rowsOf = (events: StoredEvent[]): TimelineRow[] => events.map((e) => eventRow(e, TIMELINE_STRINGS));
const seqOf = (events: StoredEvent[], pick: 'first' | 'last'): number | null => {
  const e = pick === 'first' ? events[0] : events[events.length - 1];
  return typeof e?.seq === 'number' ? e.seq : null;
};

/** The timeline of `tabId` (null: nothing selected). */
export function useTimeline(tabId: number | null): TimelineFeed {
  const empty = (id: number): Loaded => ({
    tabId: id,
    events: [],
    incidents: [],
    oldestSeq: null,
    newestSeq: null,
    done: false,
    total: null,
  });
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState(false);
  const busy = useRef(false);
  const current = useRef<Loaded | null>(null);
  current.current = loaded;

  const readIncidents = async (id: number): Promise<TimelineRow[]> =>
    (await readTabIncidents(id)).flatMap((i) => incidentRows(i, TIMELINE_STRINGS));

  const firstPage = useCallback(async (id: number): Promise<void> => {
    busy.current = true;
    setLoading(true);
    try {
      const [page, incidents, total] = await Promise.all([readEventPage(id, null), readIncidents(id), countTabEvents(id)]);
      const next: Loaded = {
        ...empty(id),
        events: rowsOf(page.events),
        incidents,
        oldestSeq: seqOf(page.events, 'last'),
        newestSeq: seqOf(page.events, 'first'),
        done: page.done,
        total,
      };
      setLoaded(next);
      setError(false);
    } catch {
      setError(true);
    } finally {
      busy.current = false;
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    setLoaded(null);
    if (tabId === null) return;
    void firstPage(tabId);
  }, [tabId, firstPage]);

  const loadMore = useCallback(() => {
    const state = current.current;
    if (!state || state.done || busy.current) return;
    busy.current = true;
    setLoading(true);
    void readEventPage(state.tabId, state.oldestSeq, PAGE_SIZE)
      .then((page) => {
        setLoaded((prev) =>
          prev && prev.tabId === state.tabId && prev.oldestSeq === state.oldestSeq
            ? {
                ...prev,
                events: prev.events.concat(rowsOf(page.events)),
                oldestSeq: seqOf(page.events, 'last') ?? prev.oldestSeq,
                done: page.done,
              }
            : prev,
        );
      })
      .catch(() => setError(true))
      .finally(() => {
        busy.current = false;
        setLoading(false);
      });
  }, []);

  // Newer events and incident updates (steps are added to stored incidents as recovery goes on).
  useEffect(() => {
    if (tabId === null) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (): Promise<void> => {
      const state = current.current;
      if (state && state.tabId === tabId && !busy.current) {
        try {
          const [newer, incidents, total] = await Promise.all([
            readNewerEvents(tabId, state.newestSeq ?? 0),
            readIncidents(tabId),
            countTabEvents(tabId),
          ]);
          if (stopped) return;
          if (newer.overflow) {
            await firstPage(tabId);
          } else {
            setLoaded((prev) =>
              prev && prev.tabId === tabId
                ? {
                    ...prev,
                    events: newer.events.length > 0 ? rowsOf(newer.events).concat(prev.events) : prev.events,
                    newestSeq: seqOf(newer.events, 'first') ?? prev.newestSeq,
                    oldestSeq: prev.oldestSeq ?? seqOf(newer.events, 'last'),
                    incidents,
                    total,
                  }
                : prev,
            );
          }
        } catch {
          // The next poll tries again; what is shown stays.
        }
      }
      if (!stopped) timer = setTimeout(() => void poll(), TIMELINE_POLL_MS);
    };
    timer = setTimeout(() => void poll(), TIMELINE_POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [tabId, firstPage]);

  const rows = useMemo(() => (loaded ? mergeTimeline(loaded.events, loaded.incidents, loaded.done) : []), [loaded]);
  return {
    rows,
    loading: loading || (tabId !== null && loaded === null && !error),
    done: loaded?.done ?? false,
    error,
    total: loaded?.total ?? null,
    loadMore,
  };
}
