/**
 * A browser profile on a small disk of its own (a tmpfs), so a test can fill the disk and
 * make the browser refuse IndexedDB writes for real. The extension holds `unlimitedStorage`,
 * so its only limit is the free disk space. Measured on Chromium 156:
 * - CDP `Storage.overrideQuotaForOrigin` for `chrome-extension://<id>` shows in
 *   `navigator.storage.estimate()` but writes far beyond it still succeed (the origin is
 *   unlimited); for a copy of the extension without `unlimitedStorage` the override is not
 *   applied at all (the quota stays at 10 GiB). So it cannot stand in for a full store.
 * - On a full disk the estimate's quota equals the usage, a write fails with an IO error
 *   (`DataError: Failed to write blobs (IOError)` for large values, an aborted transaction
 *   for small ones) and the database cannot be reopened until there is room again.
 *
 * Mounting needs root (or CAP_SYS_ADMIN); {@link mountSmallDisk} returns null when it cannot.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import type { BrowserContext } from '@playwright/test';
import { BASE_ARGS, DIST, PROJECT_ROOT } from '../../support/browser.mjs';
import { findChromium } from '../../support/find-chromium.mjs';

/** A mounted tmpfs. */
export interface SmallDisk {
  dir: string;
  /** Free bytes now. */
  free(): number;
  /** Fills the disk with a ballast file until about `leaveBytes` are free. */
  fill(leaveBytes: number): void;
  /** Deletes the ballast. */
  empty(): void;
  unmount(): void;
}

/**
 * Mounts a tmpfs of `sizeMb` MB under the project's `.tmp/`.
 * @returns null when mounting is not permitted (not root)
 */
export function mountSmallDisk(sizeMb: number): SmallDisk | null {
  const root = join(PROJECT_ROOT, '.tmp');
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(join(root, 'small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  const ballast = join(dir, 'ballast');
  const free = (): number => {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    free,
    fill(leaveBytes) {
      const fd = openSync(ballast, 'a');
      const chunk = Buffer.alloc(256 * 1024, 1);
      try {
        while (free() > leaveBytes + chunk.length) writeSync(fd, chunk);
        const rest = free() - leaveBytes;
        if (rest > 0) writeSync(fd, chunk.subarray(0, rest));
      } catch {
        // ENOSPC: as full as it gets.
      } finally {
        closeSync(fd);
      }
    },
    empty() {
      writeFileSync(ballast, '');
      rmSync(ballast, { force: true });
    },
    unmount() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Starts Chromium with the extension at `extensionDir` (default: the build) and its profile in
 * `userDataDir` (flags as tests/support/browser.mjs, then `args`).
 */
export async function launchBrowserIn(
  userDataDir: string,
  { extensionDir = DIST, args = [] }: { extensionDir?: string; args?: string[] } = {},
): Promise<BrowserContext> {
  mkdirSync(userDataDir, { recursive: true });
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: findChromium(),
    headless: !process.env.HEADED,
    args: [
      ...BASE_ARGS,
      // The disk cache would compete with IndexedDB for the little space there is.
      '--disk-cache-size=1',
      ...args,
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
    ],
    ignoreDefaultArgs: ['--disable-extensions'],
    permissions: ['microphone', 'camera'],
    viewport: { width: 1100, height: 800 },
  });
}
