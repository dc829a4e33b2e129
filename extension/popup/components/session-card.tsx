/**
 * One card per agent session: who and where, the health pill and sentence, the last
 * organisation switch when there was one, then the Signalling, Media, Auth and Recent
 * incidents sections.
 */
import type { CardView } from '../../../src/format/session-card';
import { POPUP_STRINGS } from '../strings';
import { HealthPill } from './health-pill';
import { IncidentList } from './incident-list';
import { RowsSection } from './rows-section';

/** A session card. Live cards announce changes of their health sentence (aria-live polite). */
export function SessionCard({ card }: { card: CardView }) {
  const id = `tab-${card.key}${card.alive ? '' : '-ended'}`;
  const s = POPUP_STRINGS.sections;
  return (
    <article class={`card card--${card.alive ? card.health : 'ended'}`} aria-labelledby={`${id}-title`}>
      <header class="card__header">
        <div class="card__who">
          <h2 class="card__title" id={`${id}-title`}>
            {card.title}
          </h2>
          {card.subtitle ? <p class="card__subtitle">{card.subtitle}</p> : null}
        </div>
        <HealthPill health={card.health} label={card.pillLabel} ended={!card.alive} />
      </header>
      <p class="card__reason" aria-live={card.alive ? 'polite' : undefined}>
        {card.reason}
      </p>
      {card.orgSwitch ? <p class="card__note">{card.orgSwitch}</p> : null}
      <RowsSection id={`${id}-signalling`} title={s.signalling} rows={card.signalling} />
      <RowsSection id={`${id}-media`} title={s.media} rows={card.media} />
      <RowsSection id={`${id}-auth`} title={s.auth} rows={card.auth} />
      <IncidentList id={`${id}-incidents`} incidents={card.incidents} />
    </article>
  );
}
