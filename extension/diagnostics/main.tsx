/** Diagnostics page entry: renders at once; every section fills in as its data arrives. */
import { render } from 'preact';
import { DiagnosticsRoot } from './components/diagnostics-root';

render(<DiagnosticsRoot />, document.getElementById('app')!);
