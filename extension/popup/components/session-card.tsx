/**
 * One card per agent session: who and where, the health pill and the sentence saying what is
 * wrong and what is being done, the last organisation switch when there was one, the link to
 * its diagnostics, then the Signalling, Media, Auth and Recent incidents sections.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CardView } from '../../../src/format/session-card';
import { POPUP_TEXT } from '../i18n';
import { DiagnosticsLink } from './diagnostics-link';
import { HealthPill } from './health-pill';
import { IncidentList } from './incident-list';
import { RowsSection } from './rows-section';

/**
 * What the card's live region says: nothing at first (a live region announces changes, and
 * the sentence is read with the card anyway), then the sentence whenever its news changes
 * (`reasonKey`) — not every second as the ages in the visible sentence tick.
 */
function useAnnouncement(card: CardView): string {
  const [announced, setAnnounced] = useState('');
  const lastKey = useRef(card.reasonKey);
  useEffect(() => {
    if (card.reasonKey === lastKey.current) return;
    lastKey.current = card.reasonKey;
    setAnnounced(card.reason);
  }, [card.reasonKey, card.reason]);
  return announced;
}

/**
 * A session card. A live card announces a change of its sentence through a polite live
 * region; the visible sentence itself is not live, since its ages tick every second.
 */
export function SessionCard({ card }: { card: CardView }) {
  const id = `tab-${card.key}${card.alive ? '' : '-ended'}`;
  const s = POPUP_TEXT.sections;
  const announced = useAnnouncement(card);
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
      <p class="card__reason">{card.reason}</p>
      {card.alive ? (
        <p class="visually-hidden" aria-live="polite" data-testid="card-announcement">
          {announced}
        </p>
      ) : null}
      {card.orgSwitch ? <p class="card__note">{card.orgSwitch}</p> : null}
      <p class="card__actions">
        <DiagnosticsLink tabId={card.tabId} text={POPUP_TEXT.diagnostics} label={POPUP_TEXT.diagnosticsFor(card.title)} />
      </p>
      <RowsSection id={`${id}-signalling`} title={s.signalling} rows={card.signalling} />
      <RowsSection id={`${id}-media`} title={s.media} rows={card.media} />
      <RowsSection id={`${id}-auth`} title={s.auth} rows={card.auth} />
      <IncidentList id={`${id}-incidents`} incidents={card.incidents} />
    </article>
  );
}
