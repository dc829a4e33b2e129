/**
 * The popup as a pure component tree: given where the feed is (`phase`), the worker's last
 * answer (`state`) and the present (`now`), it renders the header and summary, one card per
 * live session (worst first), the ended sessions collapsed at the bottom, and the footer.
 * It fetches nothing; {@link PopupRoot} feeds it.
 */
import { useMemo } from 'preact/hooks';
import { popupView, type FeedPhase } from '../../../src/format/popup-model';
import { formatCoarseDuration } from '../../../src/format/time';
import type { StateResponse } from '../../../src/protocol/ui';
import { FORMAT_STRINGS, HOST_ACCESS_STRINGS, POPUP_STRINGS } from '../strings';
import { unmonitoredCards } from '../../../src/format/host-access';
import { ConfigNotice } from './config-notice';
import { EndedSessions } from './ended-sessions';
import { SessionCard } from './session-card';
import { UnmonitoredTabs } from './unmonitored-tabs';

/** Props of {@link App}. */
export interface AppProps {
  phase: FeedPhase;
  state: StateResponse | null;
  /** Epoch ms of the present, in the worker's clock. */
  now: number;
  /** Local time since the last answer, ms. */
  sinceAnswerMs: number;
}

/** The whole popup. */
export function App({ phase, state, now, sinceAnswerMs }: AppProps) {
  const view = useMemo(() => (state ? popupView(state, now, FORMAT_STRINGS) : null), [state, now]);
  const live = view?.live ?? [];
  const ended = view?.ended ?? [];
  const refused = useMemo(() => unmonitoredCards(state?.unmonitoredTabs, HOST_ACCESS_STRINGS), [state]);

  let status: string;
  if (phase === 'looking') status = POPUP_STRINGS.looking;
  else if (live.length === 0) status = refused.length > 0 ? HOST_ACCESS_STRINGS.status(refused.length) : POPUP_STRINGS.empty;
  else status = view?.summary ?? '';

  let note: string | null = null;
  if (phase === 'no-answer') note = POPUP_STRINGS.noAnswer;
  else if (phase === 'stale') note = POPUP_STRINGS.stale(formatCoarseDuration(sinceAnswerMs, FORMAT_STRINGS));

  return (
    <div class={`popup popup--${phase}`}>
      <header class="popup__header">
        <h1 class="popup__title">{POPUP_STRINGS.title}</h1>
        <p class={`popup__status popup__status--${view?.worst ?? 'none'}`} role="status">
          {status}
        </p>
        <ConfigNotice count={state?.configProblems ?? 0} />
      </header>
      <main class="popup__main">
        <UnmonitoredTabs cards={refused} />
        {live.length > 0 ? (
          <ul class="cards" aria-label={POPUP_STRINGS.sessionsLabel}>
            {live.map((card) => (
              <li key={card.key}>
                <SessionCard card={card} />
              </li>
            ))}
          </ul>
        ) : null}
        {ended.length > 0 ? <EndedSessions cards={ended} /> : null}
      </main>
      <footer class="popup__footer">
        {view ? <p class="popup__events">{view.storedEvents}</p> : null}
        {note ? <p class="popup__note">{note}</p> : null}
        {/* Links to the diagnostics page and export go here. */}
        <div class="popup__links" />
      </footer>
    </div>
  );
}
