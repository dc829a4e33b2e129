/** Popup entry: renders at once (no message is awaited before the first paint). */
import { render } from 'preact';
import { PopupRoot } from './components/popup-root';
import { POPUP_TEXT } from './i18n';

// The page speaks the catalogue's language (screen readers pick their voice from it).
document.documentElement.lang = POPUP_TEXT.locale;
document.title = POPUP_TEXT.title;
render(<PopupRoot />, document.getElementById('app')!);
