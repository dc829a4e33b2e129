/**
 * The recurrence section's data: every stored incident (all sessions) of the last
 * {@link LOOKBACK_DAYS} days, the configured risk windows (`get-config`), and what
 * `src/diagnostics/recurrence.ts` makes of them.
 *
 * Time zone: the one most configured risk windows use (the first such window's on a tie),
 * because a cluster is only comparable with a window — and only pasteable as a policy entry —
 * in the window's own zone; with no risk window configured, the browser's own zone, which is
 * where the agent works. Incidents are re-read every {@link RECURRENCE_POLL_MS}.
 */
import { useEffect, useState } from 'preact/hooks';
import { findRecurrence, weekHistogram, type RecurrenceFinding } from '../../src/diagnostics/recurrence';
import type { Config } from '../../src/policy/schema';
import { readIncidentsSince } from './data/incident-reads';
import { requestConfig } from './data/ui-client';

/** Days of history looked at (the contract's default lookback of `findRecurrence`). */
export const LOOKBACK_DAYS = 30;
/** How often incidents are re-read, ms. */
export const RECURRENCE_POLL_MS = 15_000;

/** What the section shows. */
export interface RecurrenceFeed {
  reading: boolean;
  error: boolean;
  timeZone: string;
  /** Where the zone came from (see the module comment). */
  zoneSource: 'risk-window' | 'browser';
  findings: RecurrenceFinding[];
  /** 7 rows Mon..Sun × 24 hours, incident counts. */
  histogram: number[][];
  incidents: number;
}

/** The zone used by most windows, the earliest on a tie; null without windows. */
export function riskWindowZone(windows: Config['riskWindows']): string | null {
  const counts = new Map<string, number>();
  for (const w of windows) counts.set(w.timeZone, (counts.get(w.timeZone) ?? 0) + 1);
  let best: string | null = null;
  for (const w of windows) if (best === null || counts.get(w.timeZone)! > counts.get(best)!) best = w.timeZone;
  return best;
}

const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const emptyHistogram = (): number[][] => Array.from({ length: 7 }, () => Array<number>(24).fill(0));

/** Reads incidents and configuration and finds the clusters. */
export function useRecurrence(): RecurrenceFeed {
  const [feed, setFeed] = useState<RecurrenceFeed>(() => ({
    reading: true,
    error: false,
    timeZone: browserZone(),
    zoneSource: 'browser',
    findings: [],
    histogram: emptyHistogram(),
    incidents: 0,
  }));
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let riskWindows: Config['riskWindows'] | null = null;
    const run = async (): Promise<void> => {
      try {
        // Asked until answered once; meanwhile (worker starting) the browser's zone is used.
        riskWindows ??= (await requestConfig())?.config.riskWindows ?? null;
        const windows = riskWindows ?? [];
        const now = Date.now();
        const incidents = await readIncidentsSince(now - LOOKBACK_DAYS * 86_400_000);
        if (stopped) return;
        const zone = riskWindowZone(windows);
        const timeZone = zone ?? browserZone();
        const input = incidents.map((i) => ({ kind: i.kind, openedAt: i.openedAt }));
        setFeed({
          reading: false,
          error: false,
          timeZone,
          zoneSource: zone ? 'risk-window' : 'browser',
          findings: findRecurrence({ incidents: input, now, timeZone, riskWindows: windows, lookbackDays: LOOKBACK_DAYS }),
          histogram: weekHistogram(input, timeZone),
          incidents: input.length,
        });
      } catch {
        if (!stopped) setFeed((prev) => ({ ...prev, reading: false, error: true }));
      }
      if (!stopped) timer = setTimeout(() => void run(), RECURRENCE_POLL_MS);
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  return feed;
}
