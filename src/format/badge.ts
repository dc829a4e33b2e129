/**
 * What the toolbar badge shows: the worst health across monitored tabs, as text and colour
 * together (never colour alone), with a localised button title. "Sign-in needed" outranks
 * "down" because only the agent can fix it; a softphone tab the browser keeps the extension
 * out of shows "off" when no tab is monitored at all.
 *
 * Colours: text on background reaches WCAG AA 4.5:1 (src/format/contrast.ts; a unit test
 * checks every state). Chrome draws the badge text in the colour given by
 * `action.setBadgeTextColor` (Chrome 110+).
 */
import type { Health } from '../session/types';
import { healthRank } from './health';
import type { MessageKey, Translate } from './translate';

/** Everything the badge depends on. */
export interface BadgeInput {
  /** Health of every live (monitored, tab open) session. */
  healths: readonly Health[];
  /** Some live session's token could not be renewed without an interactive sign-in. */
  signInNeeded?: boolean;
  /** Softphone tabs open that the browser does not let the extension monitor. */
  unmonitoredTabs?: number;
}

/** The badge's states, from nothing to report to worst. */
export type BadgeState = 'none' | 'unmonitored' | Health | 'sign-in';

/** What to set on the toolbar button. */
export interface BadgeView {
  state: BadgeState;
  /** Badge text (at most 4 characters); empty hides the badge. */
  text: string;
  /** `#rrggbb` badge background. */
  background: string;
  /** `#rrggbb` badge text colour. */
  foreground: string;
  /** The toolbar button's tooltip. */
  title: string;
}

const WHITE = '#ffffff';
const BLACK = '#000000';

/** Colours and messages per state. Text messages absent: no badge text (nothing to flag). */
export const BADGE_STYLE: Record<BadgeState, { background: string; foreground: string; text?: MessageKey; title: MessageKey }> = {
  none: { background: '#4a5360', foreground: WHITE, title: 'badge_none' },
  unmonitored: { background: '#4a5360', foreground: WHITE, text: 'badgeText_unmonitored', title: 'badge_unmonitored' },
  healthy: { background: '#116329', foreground: WHITE, title: 'badge_healthy' },
  degraded: { background: '#f2b600', foreground: BLACK, text: 'badgeText_degraded', title: 'badge_degraded' },
  recovering: { background: '#0a4ea8', foreground: WHITE, text: 'badgeText_recovering', title: 'badge_recovering' },
  down: { background: '#b3261e', foreground: WHITE, text: 'badgeText_down', title: 'badge_down' },
  'sign-in': { background: '#b3261e', foreground: WHITE, text: 'badgeText_signIn', title: 'badge_signIn' },
};

/** The badge state for `input`. */
export function badgeState(input: BadgeInput): BadgeState {
  let worst: Health | null = null;
  for (const h of input.healths) if (worst === null || healthRank(h) > healthRank(worst)) worst = h;
  if (worst === null) return (input.unmonitoredTabs ?? 0) > 0 ? 'unmonitored' : 'none';
  return input.signInNeeded ? 'sign-in' : worst;
}

/**
 * The badge for `input`, worded by `t` (`chrome.i18n.getMessage` in the worker).
 */
export function badgeView(input: BadgeInput, t: Translate): BadgeView {
  const state = badgeState(input);
  const style = BADGE_STYLE[state];
  return {
    state,
    text: style.text ? t(style.text) : '',
    background: style.background,
    foreground: style.foreground,
    title: t(style.title),
  };
}
