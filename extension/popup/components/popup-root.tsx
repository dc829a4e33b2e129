/**
 * Connects the live feed to the pure {@link App} and keeps a rendering fault from blanking the
 * popup.
 */
import { useEffect, useErrorBoundary } from 'preact/hooks';
import { POPUP_TEXT } from '../i18n';
import { useStateFeed } from '../use-state-feed';
import { App } from './app';

/** The mounted popup: polls the worker and renders what it answers. */
export function PopupRoot() {
  const feed = useStateFeed();
  const [error, resetError] = useErrorBoundary();
  // A bad answer must not stick: try again with the next one.
  useEffect(() => {
    if (error) resetError();
  }, [feed.state]);
  if (error) {
    return (
      <div class="popup">
        <header class="popup__header">
          <h1 class="popup__title">{POPUP_TEXT.title}</h1>
          <p class="popup__status" role="status">
            {POPUP_TEXT.broken}
          </p>
        </header>
      </div>
    );
  }
  return <App phase={feed.phase} state={feed.state} now={feed.now} sinceAnswerMs={feed.sinceAnswerMs} />;
}
