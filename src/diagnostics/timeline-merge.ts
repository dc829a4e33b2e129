/**
 * Putting the timeline together from what has been read so far: stored events arrive in
 * pages, newest first, while a tab's incidents (and their recovery steps) are read whole.
 * An incident line is shown only once the events around it are loaded, so the list never
 * shows an old incident above events that have not been read yet.
 */
import type { TimelineCategory, TimelineRow } from './timeline-types';

/**
 * Merges event lines with incident lines, newest first (by `at`; equal times keep events
 * before incident lines, each in its own order). Does not mutate its inputs.
 *
 * @param events event lines in the order read (newest first by store sequence)
 * @param incidents incident and step lines, any order
 * @param complete true when every stored event of the tab has been read: then all incident
 *   lines are shown; otherwise only those at or after the oldest loaded event's time
 * @returns a new array; O(n log n) in the incident lines, O(n) in the events
 */
export function mergeTimeline(events: readonly TimelineRow[], incidents: readonly TimelineRow[], complete: boolean): TimelineRow[] {
  let floor = -Infinity;
  if (!complete) {
    floor = Infinity;
    for (const e of events) if (e.at < floor) floor = e.at;
  }
  const extra = incidents
    .filter((r) => r.at >= floor)
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.at - a.r.at || a.i - b.i)
    .map((x) => x.r);
  const out: TimelineRow[] = [];
  let j = 0;
  for (const e of events) {
    while (j < extra.length && extra[j]!.at > e.at) out.push(extra[j++]!);
    out.push(e);
  }
  while (j < extra.length) out.push(extra[j++]!);
  return out;
}

/** What the timeline shows: the categories ticked and a case-insensitive text to find. */
export interface TimelineFilter {
  categories: ReadonlySet<TimelineCategory>;
  /** Matched against title and detail; empty matches everything. */
  text: string;
}

/**
 * The lines that pass the filter, in order.
 * @returns the same array when nothing is filtered out by the filter's settings
 */
export function filterTimeline(
  rows: readonly TimelineRow[],
  filter: TimelineFilter,
  all: readonly TimelineCategory[],
): readonly TimelineRow[] {
  const needle = filter.text.trim().toLowerCase();
  const everyCategory = all.every((c) => filter.categories.has(c));
  if (everyCategory && needle === '') return rows;
  return rows.filter(
    (r) =>
      filter.categories.has(r.category) &&
      (needle === '' || r.title.toLowerCase().includes(needle) || r.detail.toLowerCase().includes(needle)),
  );
}

/** How many loaded lines each category has (for the filter labels). */
export function countByCategory(rows: readonly TimelineRow[]): Map<TimelineCategory, number> {
  const counts = new Map<TimelineCategory, number>();
  for (const r of rows) counts.set(r.category, (counts.get(r.category) ?? 0) + 1);
  return counts;
}

/**
 * A wall-clock timestamp for a timeline line, to the millisecond: `"Thu Dec 03 06:12:04.123"` (en).
 * @param at epoch ms
 * @param locale BCP 47 tag
 * @param timeZone IANA zone; absent: the runtime's own
 * @returns `"—"`-free: an invalid time gives `String(at)`
 */
export function formatTimestamp(at: number, locale: string, timeZone?: string): string {
  const options: Intl.DateTimeFormatOptions = {
    weekday: 'short',
    day: '2-digit',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    fractionalSecondDigits: 3,
    hourCycle: 'h23',
  };
  if (timeZone !== undefined) options.timeZone = timeZone;
  try {
    return new Intl.DateTimeFormat(locale, options).format(at).replace(/,/g, '');
  } catch {
    return String(at);
  }
}
