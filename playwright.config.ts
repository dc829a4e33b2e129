import { defineConfig } from '@playwright/test';

/**
 * E2E tests drive real Chromium with the built extension (dist/) against the softphone lab.
 * Each spec starts its own lab server on a free port and its own browser profile.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: '.tmp/e2e-results',
});
