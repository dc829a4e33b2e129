/**
 * A browser that gets the extension the way a managed workstation does: from an
 * `ExtensionSettings` force-install policy, downloading the signed CRX named by the update
 * manifest (docs/deployment.md), not from `--load-extension`; the local "IT web server" that
 * serves the CRX and `update.xml`; and the `release` fixture that packs them with a release key
 * made for the test.
 */
import { chromium } from '@playwright/test';
import type { BrowserContext, Fixtures, Page, Worker } from '@playwright/test';
import { generateKeyPairSync } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { BASE_ARGS, DIST, PROJECT_ROOT } from '../../support/browser.mjs';
import { findChromium } from '../../support/find-chromium.mjs';
import { packageExtension } from '../../release/packager.mjs';

/**
 * Flags Playwright and the common set add that would stop a policy install: Playwright's
 * `--disable-extensions` (no extension at all) and `--disable-background-networking`, under
 * which Chromium makes no update check, so a force-installed extension is never downloaded.
 */
const BLOCKING_ARGS = ['--disable-extensions', '--disable-background-networking'];

/**
 * Starts Chromium with no extension of its own: what it installs comes from the policy files in
 * /etc/chromium/policies/managed.
 * @param args flags after the common ones
 * @param profileDir the profile to start with (a workstation's browser starting again); default a
 *   fresh one under `.tmp/`
 */
export async function launchPolicyInstalled(
  args: string[] = [],
  profileDir?: string,
): Promise<{ context: BrowserContext; userDataDir: string }> {
  const tmpRoot = join(PROJECT_ROOT, '.tmp');
  mkdirSync(tmpRoot, { recursive: true });
  const userDataDir = profileDir ?? mkdtempSync(join(tmpRoot, 'profile-'));
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
 * The machine policy that force-installs extension `id` from `updateUrl`, as docs/deployment.md
 * has the admin write it. Plus one line no admin needs: Chromium keeps DevTools (and so
 * Playwright, which drives the browser over the DevTools protocol) out of every extension
 * installed by policy unless `DeveloperToolsAvailability` is 1 (measured, Chromium 156: attaching
 * to the extension's worker answers "Not allowed"); the test needs to look inside the worker.
 */
export function forceInstallPolicy(id: string, updateUrl: string): Record<string, unknown> {
  return {
    ExtensionSettings: { [id]: { installation_mode: 'force_installed', update_url: updateUrl } },
    DeveloperToolsAvailability: 1,
  };
}

/**
 * What `chrome://extensions` knows of extension `id` (`chrome.management.get`), or null while it
 * is not installed.
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

/**
 * Runs Chromium's extension update check now, as the *Update* button of `chrome://extensions`
 * does (`developerPrivate.autoUpdate`: every extension, an update installed at once even while
 * the extension is in use). `extensionsPage` shows `chrome://extensions`.
 */
export async function checkForUpdates(extensionsPage: Page): Promise<void> {
  const error = await extensionsPage.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const api = (chrome as unknown as { developerPrivate: { autoUpdate(done: () => void): void } }).developerPrivate;
        api.autoUpdate(() => resolve(chrome.runtime.lastError?.message ?? ''));
      }),
  );
  if (error) throw new Error(`chrome://extensions update check: ${error}`);
}

/**
 * The running service worker of extension `id` in `context`, waiting for it to start; with
 * `version`, the worker of that version (after an update the old one goes away).
 */
export async function workerOf(context: BrowserContext, id: string, opts: { version?: string; timeoutMs?: number } = {}): Promise<Worker> {
  const prefix = `chrome-extension://${id}/`;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const w of context.serviceWorkers().filter((w) => w.url().startsWith(prefix))) {
      if (!opts.version) return w;
      const version = await w.evaluate(() => chrome.runtime.getManifest().version).catch(() => undefined);
      if (version === opts.version) return w;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no service worker of ${id} ${opts.version ?? ''} within ${timeoutMs} ms`);
    await context.waitForEvent('serviceworker', { timeout: Math.min(left, 1000) }).catch(() => undefined);
  }
}

/** What the extension's worker reads from its managed storage (the policy). */
export const managedPolicy = (worker: Worker): Promise<Record<string, unknown>> => worker.evaluate(() => chrome.storage.managed.get(null));

/** The match patterns of the content scripts the worker has registered (one list per script). */
export const registeredPatterns = (worker: Worker): Promise<string[][]> =>
  worker.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).map((s) => [...(s.matches ?? [])].sort()));

/** An event as the extension stores it (extension/background/db.ts, store `events`, key `seq`). */
interface StoredEventRow {
  seq: number;
  type: string;
  at: number;
  data: Record<string, unknown>;
}

/** Every event in the extension's IndexedDB (`softphone-guard`, store `events`), in key order. */
const storedEvents = (worker: Worker): Promise<StoredEventRow[]> =>
  worker.evaluate(
    () =>
      new Promise<StoredEventRow[]>((resolve, reject) => {
        const open = indexedDB.open('softphone-guard');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const all = db.transaction('events', 'readonly').objectStore('events').getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            db.close();
            resolve(all.result as StoredEventRow[]);
          };
        };
      }),
  );

/** The `seq` of every stored event. */
export const storedEventSeqs = async (worker: Worker): Promise<number[]> => (await storedEvents(worker)).map((e) => Number(e.seq));

/** The stored `extension-update` events (src/session/types.ts), oldest first: `[phase, version]` each. */
export const storedUpdateEvents = async (worker: Worker): Promise<Array<[string, string]>> =>
  (await storedEvents(worker))
    .filter((e) => e.type === 'extension-update')
    .sort((a, b) => a.at - b.at)
    .map((e) => [String(e.data.phase), String(e.data.version)]);

/** The IT web server of the test: the files of one folder over HTTP on loopback. */
export interface PackageServer {
  /** `http://127.0.0.1:<port>/` */
  baseUrl: string;
  /** Paths requested so far, in order (without query). */
  requests: string[];
  /** The same requests with the time each arrived (epoch ms). */
  log: { path: string; at: number }[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.crx': 'application/x-chrome-extension', '.xml': 'text/xml', '.zip': 'application/zip' };

/** Serves the files directly in `dir` (no subfolders; read at each request, so a new update.xml is served at once). */
export async function servePackages(dir: string): Promise<PackageServer> {
  const requests: string[] = [];
  const log: { path: string; at: number }[] = [];
  const server = createServer((req, res) => {
    const name = basename(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(`/${name}`);
    log.push({ path: `/${name}`, at: Date.now() });
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
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A package on the server: what `npm run package` printed for it. */
export interface Packaged {
  id: string;
  version: string;
  sizes: { crx: number; updateXml: number; storeZip: number };
}

/** The release side of the test: a release key made for this run, the packer and the server. */
export interface Release {
  server: PackageServer;
  /** The update manifest URL the policy names. */
  updateUrl: string;
  /** Packs the build (SG_DIST or dist/) as `version` (default: package.json's) and serves it. */
  publish(version?: string): Promise<Packaged>;
}

/**
 * The `release` fixture, for `test.extend` of the shared fixture in the spec (fixture.ts imports
 * this module, so extending it here would be a cycle). The committed public test key in
 * manifest.json has no private key in the repository, so the release is signed with a key
 * generated for the run (the ID expected is that key's). The key, the packages and the server
 * are removed and closed after the test, also when it fails.
 */
export const releaseFixture: Fixtures<{ release: Release }> = {
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from its first parameter: `{}` is none.
  release: async ({}, use) => {
    mkdirSync(join(PROJECT_ROOT, '.tmp'), { recursive: true });
    const work = mkdtempSync(join(PROJECT_ROOT, '.tmp', 'force-install-'));
    const served = join(work, 'served');
    const server = await servePackages(served);
    try {
      const keyPath = join(work, 'release.pem');
      writeFileSync(keyPath, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }), {
        mode: 0o600,
      });
      await use({
        server,
        updateUrl: `${server.baseUrl}update.xml`,
        publish: async (version) => {
          const r = await packageExtension({ distDir: DIST, outDir: served, baseUrl: server.baseUrl, keyPath, version });
          return { id: r.id, version: r.version, sizes: r.sizes };
        },
      });
    } finally {
      await server.close();
      rmSync(work, { recursive: true, force: true });
    }
  },
};
