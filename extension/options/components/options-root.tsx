/**
 * Connects the live configuration and the form to the pure {@link App}, and keeps a rendering
 * fault from blanking the page.
 */
import { useErrorBoundary } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { OPTIONS_STRINGS } from '../strings';
import { useConfigFeed } from '../use-config-feed';
import { useOptionsForm } from '../use-options-form';
import { App } from './app';

/** The mounted options page. */
export function OptionsRoot() {
  const feed = useConfigFeed();
  const form = useOptionsForm(feed);
  const [error] = useErrorBoundary();
  if (error) {
    return (
      <div class="page">
        <h1>{OPTIONS_STRINGS.title}</h1>
        <p role="status">{OPTIONS_STRINGS.broken}</p>
      </div>
    );
  }
  return <App phase={feed.phase} form={form} config={feed.answer?.config ?? null} extensionId={browser.runtime.id} />;
}
