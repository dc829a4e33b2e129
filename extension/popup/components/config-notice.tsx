/**
 * A short notice when configuration values are not in force (invalid policy or user values,
 * src/policy/resolve.ts), with a link that opens the options page where they are listed.
 */
import browser from 'webextension-polyfill';
import { POPUP_TEXT } from '../i18n';

/** Nothing when `count` is 0; else one line and the "Open settings" link. */
export function ConfigNotice({ count }: { count: number }) {
  if (count <= 0) return null;
  return (
    <p class="popup__config-notice" data-testid="config-notice">
      {POPUP_TEXT.configProblems(count)}{' '}
      <a
        href={browser.runtime.getURL('extension/options/index.html')}
        onClick={(e) => {
          // The options page opens in its own tab (manifest options_ui.open_in_tab).
          e.preventDefault();
          void browser.runtime.openOptionsPage();
        }}
      >
        {POPUP_TEXT.openSettings}
      </a>
    </p>
  );
}
