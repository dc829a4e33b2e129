/**
 * Cards for softphone tabs the browser keeps Softphone Guard out of (blocked by policy, or
 * site access withheld): one per origin and cause, with the sentence that says who can fix it.
 */
import type { UnmonitoredCard } from '../../../src/format/host-access';
import { HOST_ACCESS_TEXT } from '../i18n';

/** Nothing when `cards` is empty. */
export function UnmonitoredTabs({ cards }: { cards: readonly UnmonitoredCard[] }) {
  if (cards.length === 0) return null;
  return (
    <ul class="cards" aria-label={HOST_ACCESS_TEXT.notMonitored} data-testid="unmonitored-tabs">
      {cards.map((card) => (
        <li key={card.key}>
          <article class="card card--unmonitored" aria-labelledby={`unmonitored-${card.firstTabId}`} data-reason={card.reason}>
            <header class="card__header">
              <div class="card__who">
                <h2 class="card__title" id={`unmonitored-${card.firstTabId}`}>
                  {card.origin}
                </h2>
                <p class="card__subtitle">{card.subtitle}</p>
              </div>
            </header>
            <p class="card__reason">{card.text}</p>
          </article>
        </li>
      ))}
    </ul>
  );
}
