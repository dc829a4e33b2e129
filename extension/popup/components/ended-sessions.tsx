/**
 * Sessions whose tab is gone, collapsed under one disclosure at the bottom of the popup. Their
 * cards are only rendered while it is open: the store may hold many ended sessions, and the
 * popup re-renders every second.
 */
import { useState } from 'preact/hooks';
import type { CardView } from '../../../src/format/session-card';
import { POPUP_TEXT } from '../i18n';
import { SessionCard } from './session-card';

/** The "Ended sessions (n)" disclosure. */
export function EndedSessions({ cards }: { cards: CardView[] }) {
  const [open, setOpen] = useState(false);
  return (
    <details class="ended" open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary class="ended__summary">{POPUP_TEXT.endedSessions(cards.length)}</summary>
      {open ? (
        <ul class="cards">
          {cards.map((card) => (
            <li key={card.key}>
              <SessionCard card={card} />
            </li>
          ))}
        </ul>
      ) : null}
    </details>
  );
}
