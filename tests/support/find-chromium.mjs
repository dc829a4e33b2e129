/**
 * Locates a Chromium-family browser for the e2e tests, the demo and the benchmarks.
 * Order: `CHROME_PATH`, then the usual install paths. Branded Chrome and Edge no longer
 * accept `--load-extension`, so Chromium comes first (docs/architecture.md §7).
 */
import { existsSync } from 'node:fs';

/** Candidate executables, most suitable first. */
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/usr/bin/google-chrome-for-testing',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/**
 * @returns {string} absolute path of the browser executable
 * @throws {Error} with a one-line instruction when no browser is found
 */
export function findChromium() {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH=${fromEnv} does not exist; point it at a Chromium executable.`);
    return fromEnv;
  }
  const found = CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    throw new Error('No Chromium found: install it (Debian: `apt-get install -y chromium`) or set CHROME_PATH to its executable.');
  }
  return found;
}
