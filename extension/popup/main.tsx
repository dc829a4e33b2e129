/** Popup entry: renders at once (no message is awaited before the first paint). */
import { render } from 'preact';
import { PopupRoot } from './components/popup-root';

render(<PopupRoot />, document.getElementById('app')!);
