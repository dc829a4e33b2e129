/**
 * The view model of the whole popup, from one `get-state` answer: cards in display order,
 * the summary line and the footer's event count.
 */
import type { StateResponse } from '../protocol/ui';
import type { Health } from '../session/types';
import { healthLabel, orderSessions } from './health';
import { formatCount } from './number';
import { cardView, type CardView } from './session-card';
import type { FormatStrings } from './strings';

/** Where the popup is in talking to the worker. */
export type FeedPhase =
  /** Nothing asked or answered yet: the first paint. */
  | 'looking'
  /** The last request was answered. */
  | 'answered'
  /** No answer has come (no listener, or none within the timeout). */
  | 'no-answer'
  /** Answered before, but the last request was not: the state shown is the last known one. */
  | 'stale';

/** Everything the popup shows for one answer. */
export interface PopupView {
  /** Live sessions, worst first. */
  live: CardView[];
  /** Sessions whose tab is gone, newest first. */
  ended: CardView[];
  worst: Health | null;
  /** `"Watching 2 softphone tabs. Worst: Degraded."`; empty when no session is live. */
  summary: string;
  /** `"1,234 events stored"`. */
  storedEvents: string;
}

/**
 * Builds the popup's view model.
 * @param state the worker's answer to `get-state`
 * @param now epoch ms of the present: `state.now` advanced by the time since it arrived
 * @param timeZone IANA time zone for clock times; absent: the runtime's own
 */
export function popupView(state: StateResponse, now: number, t: FormatStrings, timeZone?: string): PopupView {
  const { live, ended } = orderSessions(state.sessions ?? []);
  const worst = state.worst ?? live[0]?.health ?? null;
  return {
    live: live.map((s) => cardView(s, now, t, timeZone, state.cannotRefresh)),
    ended: ended.map((s) => cardView(s, now, t, timeZone, state.cannotRefresh)),
    worst,
    summary: live.length > 0 && worst ? t.summary.watching(live.length, formatCount(live.length, t), healthLabel(worst, t)) : '',
    storedEvents: t.summary.storedEvents(state.storedEvents ?? 0, formatCount(state.storedEvents ?? 0, t)),
  };
}
