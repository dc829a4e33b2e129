/**
 * The words of a recurrence finding: the sentence support and IT read, and the policy
 * snippet that would add the missing risk window.
 *
 * The sentence is English, like the incident summaries the reducer writes: it is meant to be
 * pasted into a ticket as it stands.
 */
import type { Config } from '../policy/schema';
import type { IncidentKind } from '../session/types';
import type { Weekday } from './local-week';

/** One `riskWindows` entry of the policy (`RiskWindowSchema`). */
export type RiskWindowEntry = Config['riskWindows'][number];

/**
 * Incident kinds as a plural noun phrase, for "7 of 9 abnormal closes". The wording follows the
 * popup's incident labels ("WebSocket closed abnormally", "Rate limited (429)", "Microphone
 * stopped", …), made countable. A `Record` over {@link IncidentKind}, so a new kind does not
 * compile until it has a name here.
 */
export const INCIDENT_KIND_PLURAL: Readonly<Record<IncidentKind, string>> = {
  'abnormal-close': 'abnormal closes',
  'signalling-stalled': 'signalling stalls',
  unauthorized: 'unauthorized (401) responses',
  'rate-limited': 'rate-limited (429) responses',
  'request-timeout': 'request timeouts (408)',
  'server-error': 'server errors',
  'ice-failed': 'call connection failures',
  'permission-lost': 'microphone permission losses',
  'track-ended': 'microphone stops',
};

/** The plural name of a kind; a kind this build does not know (an old store record) is named as stored. */
export function kindPlural(kind: string): string {
  return Object.hasOwn(INCIDENT_KIND_PLURAL, kind) ? INCIDENT_KIND_PLURAL[kind as IncidentKind] : kind;
}

/** Everything the sentence says. */
export interface SentenceParts {
  kind: string;
  clustered: number;
  total: number;
  /** Whole days. */
  lookbackDays: number;
  /** Whole minutes. */
  withinMinutes: number;
  weekday: Weekday;
  /** `HH:MM`. */
  time: string;
  timeZone: string;
  /** Label of the configured window that covers the cluster (`Mon 06:00 America/Chicago`), or null. */
  matchedWindow: string | null;
}

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : `${n} ${many}`);

/**
 * `7 of 9 abnormal closes in the last 30 days began within 10 minutes after Mon 06:00
 * America/Chicago — matches the configured risk window Mon 06:00 America/Chicago` (or `— no
 * risk window is configured for it`). Numbers in plain digits, so a script can read them back.
 */
export function recurrenceSentence(p: SentenceParts): string {
  const days = plural(p.lookbackDays, 'day', 'days');
  const within = p.withinMinutes === 1 ? '1 minute' : `${p.withinMinutes} minutes`;
  const match = p.matchedWindow === null ? 'no risk window is configured for it' : `matches the configured risk window ${p.matchedWindow}`;
  return `${p.clustered} of ${p.total} ${kindPlural(p.kind)} in the last ${days} began within ${within} after ${p.weekday} ${p.time} ${p.timeZone} — ${match}`;
}

/**
 * Length of a suggested window, minutes: the length of the built-in windows for the seeds'
 * schedule publishes (DEFAULT_CONFIG), which covers the 10-minute burst of failures after a
 * publish with room for the 429 `Retry-After` tail that follows it.
 */
export const SUGGESTED_DURATION_MINUTES = 30;

/**
 * Lead of a suggested window's preventive token refresh, minutes. Twice the built-in
 * windows' 5: failures begin at the anchor itself, and `chrome.alarms` in a packed build fires
 * no more often than every 30 s and may fire late after the machine sleeps (docs/architecture.md §6), so
 * the refresh gets margin to land before the load does.
 */
export const SUGGESTED_REFRESH_AHEAD_MINUTES = 10;

/** The `riskWindows` entry for a cluster at `weekday time` in `timeZone`. */
export function suggestedWindow(weekday: Weekday, time: string, timeZone: string): RiskWindowEntry {
  return {
    days: [weekday],
    start: time,
    timeZone,
    durationMinutes: SUGGESTED_DURATION_MINUTES,
    refreshAheadMinutes: SUGGESTED_REFRESH_AHEAD_MINUTES,
  };
}

/**
 * Policy JSON that adds `entry` to the windows in force: `{ "riskWindows": [ …existing,
 * entry ] }`, two-space indented. The existing entries are repeated because a policy's
 * `riskWindows` replaces the list as a whole (it is one leaf of the configuration contract,
 * docs/architecture.md §4); pasting only the new entry would drop the others.
 */
export function policySnippet(existing: readonly RiskWindowEntry[], entry: RiskWindowEntry): string {
  return JSON.stringify({ riskWindows: [...existing, entry] }, null, 2);
}
