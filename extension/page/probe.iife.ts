/**
 * The page probe: a classic script in the page's MAIN world at document_start, before any
 * page script, registered by the worker for `softphoneUrlPatterns` (`world: "MAIN"`,
 * extension/background/content-scripts.ts). See start-probe.ts.
 */
import { startProbe } from './start-probe';

try {
  startProbe(window);
} catch {
  // never break the page
}
