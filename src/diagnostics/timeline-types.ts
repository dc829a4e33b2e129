/**
 * One line of the diagnostics timeline: a stored event (observation or worker event) or an
 * incident and its recovery steps, already worded for a support engineer.
 */

/** Filter groups of the timeline, in the order the page lists them. */
export const TIMELINE_CATEGORIES = [
  'incident',
  'recovery',
  'signalling',
  'http',
  'auth',
  'media',
  'quality',
  'device',
  'session',
  'other',
] as const;

/**
 * `incident`: a detected problem opened; `recovery`: what the extension did and how it went
 * (incident steps, retries, refreshes, reloads); `signalling`: WebSocket open/close, heartbeat
 * gaps; `http`: HTTP failures and protected exchanges; `auth`: 401s and token requests;
 * `media`: ICE and peer-connection state; `quality`: `getStats()` samples; `device`: microphone
 * permission, capture and devices; `session`: page load, identity, organisation switch.
 */
export type TimelineCategory = (typeof TIMELINE_CATEGORIES)[number];

/** How bad a line is; shown as a word and an icon, never by colour alone. */
export type TimelineSeverity = 'error' | 'warning' | 'info';

/** A timeline line ready to render. */
export interface TimelineRow {
  /** Unique within the timeline: `e:<seq>` for stored events, `i:<id>` / `i:<id>:<n>` for incidents and steps. */
  key: string;
  /** Epoch ms. */
  at: number;
  category: TimelineCategory;
  severity: TimelineSeverity;
  /** One sentence: what happened. */
  title: string;
  /** The particulars (code, reason, endpoint, status, Retry-After, outcome), joined; may be empty. */
  detail: string;
  /** Stored event sequence number (events only), for paging. */
  seq?: number;
  /** The stored record's own fields (already redacted), for the detail panel. */
  raw: Record<string, unknown>;
}
