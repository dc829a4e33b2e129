/**
 * The health pill of a card: colour, icon and text together, so health never rests on colour
 * alone.
 */
import type { Health } from '../../../src/session/types';
import { EndedIcon, HealthIcon } from './icons';

/** Pill for a live session's health, or the neutral "Ended" pill. */
export function HealthPill({ health, label, ended }: { health: Health; label: string; ended: boolean }) {
  return (
    <span class={`pill ${ended ? 'pill--ended' : `pill--${health}`}`}>
      {ended ? <EndedIcon /> : <HealthIcon health={health} />}
      <span class="pill__text">{label}</span>
    </span>
  );
}
