/**
 * The page probe: a classic script in the page's MAIN world at document_start, before any
 * page script (manifest `content_scripts`, `world: "MAIN"`). See start-probe.ts.
 */
import { startProbe } from './start-probe';

try {
  startProbe(window);
} catch {
  // never break the page
}
