/**
 * The install warnings Chromium shows for the built extension, read from Chromium itself
 * (`chrome.management.getPermissionWarningsByManifest`, called from the extension's service
 * worker on the built manifest), for docs/deployment.md. Needs Chromium and a build:
 *
 *   npx vite build && node tests/release/permission-warnings.mjs
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, extensionWorker, launchBrowser } from '../support/browser.mjs';
import { rmSync } from 'node:fs';

const manifest = readFileSync(join(DIST, 'manifest.json'), 'utf8');
const { context, userDataDir } = await launchBrowser();
try {
  const worker = await extensionWorker(context);
  const warnings = await worker.evaluate((m) => chrome.management.getPermissionWarningsByManifest(m), manifest);
  const version = await worker.evaluate(() => navigator.userAgent);
  console.log(
    JSON.stringify(
      {
        browser: version,
        permissions: JSON.parse(manifest).permissions,
        host_permissions: JSON.parse(manifest).host_permissions,
        warnings,
      },
      null,
      2,
    ),
  );
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
