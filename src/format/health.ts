/**
 * Health labels and the order sessions are shown in: live sessions worst first, ended ones
 * after them.
 */
import { HEALTH_ORDER, type Health } from '../session/types';
import type { FormatStrings } from './strings';

/** How bad a health is: 0 for healthy up to 3 for down ({@link HEALTH_ORDER}). */
export function healthRank(health: Health): number {
  const i = HEALTH_ORDER.indexOf(health);
  return i === -1 ? HEALTH_ORDER.length : i;
}

/** Display label of a health: `"Degraded"`. */
export function healthLabel(health: Health, t: FormatStrings): string {
  return t.health[health] ?? health;
}

/**
 * Sessions in display order: live ones (`alive: true`) worst first, then ended ones. Within
 * each group the input order is kept (the worker sends newest first). Does not mutate.
 */
export function orderSessions<S extends { alive: boolean; health: Health }>(
  sessions: readonly S[],
): {
  live: S[];
  ended: S[];
} {
  const indexed = sessions.map((s, i) => ({ s, i }));
  const live = indexed
    .filter((x) => x.s.alive)
    .sort((a, b) => healthRank(b.s.health) - healthRank(a.s.health) || a.i - b.i)
    .map((x) => x.s);
  const ended = indexed.filter((x) => !x.s.alive).map((x) => x.s);
  return { live, ended };
}
