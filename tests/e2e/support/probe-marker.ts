/**
 * Whether the page probe runs in a page: the probe answers
 * `Function.prototype.toString.call(Symbol.for('softphone-guard.probe'))` with
 * `softphone-guard.probe <version>` through its toString wrapper (extension/page/start-probe.ts);
 * the browser's own toString throws for a symbol.
 */
import type { Page } from '@playwright/test';

export const hasProbe = (page: Page): Promise<boolean> =>
  page.evaluate(() => {
    try {
      return String(Function.prototype.toString.call(Symbol.for('softphone-guard.probe'))).startsWith('softphone-guard.probe ');
    } catch {
      return false;
    }
  });
