/**
 * The health pill of a card: colour, icon and text together, so health never rests on colour
 * alone. Its accessible name says what the word is ("Health: Degraded"); the icon is
 * decorative next to it.
 */
import type { Health } from '../../../src/session/types';
import { POPUP_TEXT } from '../i18n';
import { EndedIcon, HealthIcon } from './icons';

/** Pill for a live session's health, or the neutral "Ended" pill. */
export function HealthPill({ health, label, ended }: { health: Health; label: string; ended: boolean }) {
  return (
    <span class={`pill ${ended ? 'pill--ended' : `pill--${health}`}`} role="img" aria-label={POPUP_TEXT.healthLabel(label)}>
      {ended ? <EndedIcon /> : <HealthIcon health={health} />}
      <span class="pill__text">{label}</span>
    </span>
  );
}
