/** Options page entry: renders at once; the configuration arrives from the worker. */
import { render } from 'preact';
import { OptionsRoot } from './components/options-root';

render(<OptionsRoot />, document.getElementById('app')!);
