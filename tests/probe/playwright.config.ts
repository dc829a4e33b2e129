import { defineConfig } from '@playwright/test';

/**
 * The probe tier, between the unit tests and e2e: the built page probe
 * (`dist/extension/page/probe.iife.js`, or under `SG_DIST`) injected into a plain page in real
 * Chromium, with no extension and no service worker; the tests play the relay. Needs a build.
 *
 *   npx playwright test -c tests/probe/playwright.config.ts
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: '../../.tmp/probe-results',
});
