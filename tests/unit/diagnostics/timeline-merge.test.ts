import { describe, expect, it } from 'vitest';
import { countByCategory, filterTimeline, formatTimestamp, mergeTimeline } from '../../../src/diagnostics/timeline-merge';
import { TIMELINE_CATEGORIES, type TimelineCategory, type TimelineRow } from '../../../src/diagnostics/timeline-types';

const row = (key: string, at: number, category: TimelineCategory = 'signalling', title = key, detail = ''): TimelineRow => ({
  key,
  at,
  category,
  severity: 'info',
  title,
  detail,
  raw: {},
});

describe('mergeTimeline', () => {
  const events = [row('e3', 300), row('e2', 200), row('e1', 100)];
  const incidents = [row('i-old', 50, 'incident'), row('i-mid', 200, 'incident'), row('i-new', 350, 'incident'), row('s', 250, 'recovery')];

  it('interleaves incident lines by time, newest first; events first on equal times', () => {
    expect(mergeTimeline(events, incidents, true).map((r) => r.key)).toEqual(['i-new', 'e3', 's', 'e2', 'i-mid', 'e1', 'i-old']);
  });
  it('holds back incident lines older than the loaded events until every event is read', () => {
    expect(mergeTimeline(events, incidents, false).map((r) => r.key)).toEqual(['i-new', 'e3', 's', 'e2', 'i-mid', 'e1']);
  });
  it('shows no incident line before any event is loaded, all of them when the tab has none', () => {
    expect(mergeTimeline([], incidents, false)).toEqual([]);
    expect(mergeTimeline([], incidents, true).map((r) => r.key)).toEqual(['i-new', 's', 'i-mid', 'i-old']);
  });
  it('does not mutate its inputs', () => {
    const copy = [...incidents];
    mergeTimeline(events, incidents, true);
    expect(incidents).toEqual(copy);
  });
});

describe('filterTimeline', () => {
  const rows = [
    row('a', 3, 'signalling', 'WebSocket closed: 1006'),
    row('b', 2, 'http', 'HTTP 429', 'Retry-After: 2'),
    row('c', 1, 'recovery', 'Recovery: Fetched a fresh token — ok'),
  ];
  const all = new Set(TIMELINE_CATEGORIES);
  it('returns the same array when nothing is filtered', () => {
    expect(filterTimeline(rows, { categories: all, text: '  ' }, TIMELINE_CATEGORIES)).toBe(rows);
  });
  it('keeps ticked categories and matches text in title or detail, case-insensitively', () => {
    expect(
      filterTimeline(rows, { categories: new Set<TimelineCategory>(['http', 'recovery']), text: '' }, TIMELINE_CATEGORIES).map(
        (r) => r.key,
      ),
    ).toEqual(['b', 'c']);
    expect(filterTimeline(rows, { categories: all, text: 'retry-after' }, TIMELINE_CATEGORIES).map((r) => r.key)).toEqual(['b']);
    expect(filterTimeline(rows, { categories: new Set<TimelineCategory>(['http']), text: '1006' }, TIMELINE_CATEGORIES)).toEqual([]);
  });
  it('counts lines per category', () => {
    expect(Object.fromEntries(countByCategory([...rows, row('d', 0, 'http')]))).toEqual({ signalling: 1, http: 2, recovery: 1 });
  });
});

describe('formatTimestamp', () => {
  it('gives weekday, date and time to the millisecond in the zone asked for', () => {
    expect(formatTimestamp(Date.UTC(2026, 11, 7, 12, 3, 4, 56), 'en', 'America/Chicago')).toBe('Mon Dec 07 06:03:04.056');
    expect(formatTimestamp(Date.UTC(2026, 11, 7, 12, 3, 4, 56), 'en', 'UTC')).toBe('Mon Dec 07 12:03:04.056');
  });
  it('does not throw on a bad time or zone', () => {
    expect(formatTimestamp(Number.NaN, 'en', 'UTC')).toBe('NaN');
    expect(formatTimestamp(0, 'en', 'Not/AZone')).toBe('0');
  });
});
