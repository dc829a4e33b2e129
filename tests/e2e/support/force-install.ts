/**
 * A browser that gets the extension the way a managed workstation does: from an
 * `ExtensionSettings` force-install policy, downloading the signed CRX named by the update
 * manifest (docs/deployment.md), not from `--load-extension`; and the local "IT web server"
 * that serves the CRX and `update.xml`.
 */
import { chromium } from '@playwright/test';
import type { BrowserContext, Page } from '@playwright/test';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { BASE_ARGS, PROJECT_ROOT } from '../../support/browser.mjs';
import { findChromium } from '../../support/find-chromium.mjs';

/**
 * Flags Playwright and the common set add that would stop a policy install: Playwright's
 * `--disable-extensions` (no extension at all) and `--disable-background-networking`, under
 * which Chromium makes no update check, so a force-installed extension is never downloaded.
 */
const BLOCKING_ARGS = ['--disable-extensions', '--disable-background-networking'];

/**
 * Starts Chromium with a fresh profile under `.tmp/` and no extension of its own: what it
 * installs comes from the policy files in /etc/chromium/policies/managed.
 * @param args flags after the common ones, e.g. `--extensions-update-frequency=<s>`
 */
export async function launchPolicyInstalled(args: string[] = []): Promise<{ context: BrowserContext; userDataDir: string }> {
  const tmpRoot = join(PROJECT_ROOT, '.tmp');
  mkdirSync(tmpRoot, { recursive: true });
  const userDataDir = mkdtempSync(join(tmpRoot, 'profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: findChromium(),
    headless: !process.env.HEADED,
    args: [...BASE_ARGS.filter((a) => !BLOCKING_ARGS.includes(a)), ...args],
    ignoreDefaultArgs: BLOCKING_ARGS,
    permissions: ['microphone', 'camera'],
    viewport: { width: 1100, height: 800 },
  });
  return { context, userDataDir };
}

/**
 * What `chrome://extensions` knows of extension `id` (`chrome.management.get`), or null while it
 * is not installed. Playwright does not attach to the pages and worker of an extension that the
 * browser installed by itself after start (measured: a tab navigated to it is reported closed),
 * so the test looks at the extension from the browser's own pages and over CDP.
 */
export async function extensionInfo(extensionsPage: Page, id: string): Promise<chrome.management.ExtensionInfo | null> {
  return extensionsPage.evaluate(
    (id) =>
      new Promise<chrome.management.ExtensionInfo | null>((resolve) =>
        chrome.management.get(id, (info) => resolve(chrome.runtime.lastError ? null : info)),
      ),
    id,
  );
}

/** The `seq` of every event in the extension's IndexedDB (`softphone-guard`, store `events`), read over CDP. */
export async function storedEventSeqs(context: BrowserContext, anyPage: Page, id: string): Promise<number[]> {
  const cdp = await context.newCDPSession(anyPage);
  try {
    const seqs: number[] = [];
    for (let skipCount = 0; ;) {
      const { objectStoreDataEntries, hasMore } = await cdp.send('IndexedDB.requestData', {
        securityOrigin: `chrome-extension://${id}`,
        databaseName: 'softphone-guard',
        objectStoreName: 'events',
        indexName: '',
        skipCount,
        pageSize: 500,
      });
      for (const entry of objectStoreDataEntries) seqs.push(Number(entry.primaryKey.value));
      skipCount += objectStoreDataEntries.length;
      if (!hasMore || objectStoreDataEntries.length === 0) return seqs;
    }
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** The IT web server of the test: the files of one folder over HTTP on loopback. */
export interface PackageServer {
  /** `http://127.0.0.1:<port>/` */
  baseUrl: string;
  /** Paths requested so far, in order (without query). */
  requests: string[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.crx': 'application/x-chrome-extension', '.xml': 'text/xml', '.zip': 'application/zip' };

/** Serves the files directly in `dir` (no subfolders; read at each request, so a new update.xml is served at once). */
export async function servePackages(dir: string): Promise<PackageServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const name = basename(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(`/${name}`);
    const file = join(dir, name);
    if (!name || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
