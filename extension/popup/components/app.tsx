/**
 * The popup as a pure component tree: given where the feed is (`phase`), the worker's last
 * answer (`state`) and the present (`now`), it renders the header and summary, one card per
 * live session (worst first), the ended sessions collapsed at the bottom, and the footer with
 * the diagnostics page link and the export buttons.
 * It fetches nothing; {@link PopupRoot} feeds it.
 */
import { useMemo } from 'preact/hooks';
import { popupView, type FeedPhase } from '../../../src/format/popup-model';
import { formatCoarseDuration } from '../../../src/format/time';
import type { StateResponse } from '../../../src/protocol/ui';
import { FORMAT_TEXT, HOST_ACCESS_TEXT, POPUP_TEXT } from '../i18n';
import { unmonitoredCards } from '../../../src/format/host-access';
import { ExportButtons } from '../../shared/export-buttons';
import { ConfigNotice } from './config-notice';
import { StorageNotice } from './storage-notice';
import { DiagnosticsLink } from './diagnostics-link';
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
  const view = useMemo(() => (state ? popupView(state, now, FORMAT_TEXT) : null), [state, now]);
  const live = view?.live ?? [];
  const ended = view?.ended ?? [];
  const refused = useMemo(() => unmonitoredCards(state?.unmonitoredTabs, HOST_ACCESS_TEXT), [state]);

  let status: string;
  if (phase === 'looking') status = POPUP_TEXT.looking;
  else if (live.length === 0) status = refused.length > 0 ? HOST_ACCESS_TEXT.status(refused.length) : POPUP_TEXT.empty;
  else status = view?.summary ?? '';

  let note: string | null = null;
  if (phase === 'no-answer') note = POPUP_TEXT.noAnswer;
  else if (phase === 'stale') note = POPUP_TEXT.stale(formatCoarseDuration(sinceAnswerMs, FORMAT_TEXT));

  return (
    <div class={`popup popup--${phase}`}>
      <header class="popup__header">
        <h1 class="popup__title">{POPUP_TEXT.title}</h1>
        <p class={`popup__status popup__status--${view?.worst ?? 'none'}`} role="status">
          {status}
        </p>
        <ConfigNotice count={state?.configProblems ?? 0} />
        <StorageNotice store={state?.store} />
      </header>
      <main class="popup__main">
        <UnmonitoredTabs cards={refused} />
        {live.length > 0 ? (
          <ul class="cards" aria-label={POPUP_TEXT.sessionsLabel}>
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
        <nav class="popup__links" aria-label={POPUP_TEXT.actionsLabel}>
          <DiagnosticsLink text={POPUP_TEXT.diagnosticsAll} label={POPUP_TEXT.diagnosticsAllLabel} />
          <ExportButtons labels={POPUP_TEXT.exportLabels} />
        </nav>
      </footer>
    </div>
  );
}
