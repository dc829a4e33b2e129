/**
 * "An invalid schema stops the extension from loading" (issue 4): copies of the built extension
 * with a broken managed-schema.json do not load in Chromium — no service worker, not listed
 * on chrome://extensions, and Chromium's log says why — while the real build loads. Chromium's
 * reasons are the ones the unit tests' model of its schema parser gives
 * (tests/unit/policy/chrome-policy-schema.ts), so the unit checks of
 * public/managed-schema.json stand for the real thing.
 */
import { expect, test as base } from './support/fixture';
import type { BrowserContext } from '@playwright/test';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, EXTENSION_ID, PROJECT_ROOT, extensionWorker } from '../support/browser.mjs';
import { chromeSchemaLoadError } from '../unit/policy/chrome-policy-schema';

type Schema = Record<string, unknown>;
type Props = Record<string, Schema>;

/** One way to break the schema each; Chromium names the reason it refuses to load the extension. */
const BREAKAGES: { name: string; breakIt: (s: Schema) => void }[] = [
  { name: 'unknown-type', breakIt: (s) => void ((s.properties as Props).retentionDays!.type = 'nonsense') },
  { name: 'array-without-items', breakIt: (s) => void delete (s.properties as Props).softphoneUrlPatterns!.items },
  { name: 'top-level-additional-properties', breakIt: (s) => void (s.additionalProperties = { type: 'string' }) },
];

/** Ids of the extensions Chromium has installed, as chrome://extensions lists them. */
async function installedExtensionIds(context: BrowserContext): Promise<string[]> {
  const page = await context.newPage();
  try {
    await page.goto('chrome://extensions');
    return await page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const dev = (
            chrome as unknown as {
              developerPrivate: { getExtensionsInfo(o: object, cb: (list: { id: string }[]) => void): void };
            }
          ).developerPrivate;
          dev.getExtensionsInfo({ includeDisabled: true, includeTerminated: true }, (list) => resolve(list.map((e) => e.id)));
        }),
    );
  } finally {
    await page.close();
  }
}

const readLog = (userDataDir: string): string => {
  try {
    return readFileSync(join(userDataDir, 'chrome_debug.log'), 'utf8');
  } catch {
    return '';
  }
};

/** A folder for copies of the build, removed after the test. */
const test = base.extend<{ copiesRoot: string }>({
  // eslint-disable-next-line no-empty-pattern -- no fixture needed
  copiesRoot: async ({}, use) => {
    const dir = mkdtempSync(join(PROJECT_ROOT, '.tmp', 'broken-schema-'));
    await use(dir);
    rmSync(dir, { recursive: true, force: true });
  },
});

test.beforeAll(() => {
  expect(existsSync(join(DIST, 'managed-schema.json')), `no built extension in ${DIST}: run npm run build (or set SG_DIST)`).toBe(true);
});

test('the real build loads: its service worker starts and chrome://extensions lists it', async ({ launch }) => {
  expect(chromeSchemaLoadError(JSON.parse(readFileSync(join(DIST, 'managed-schema.json'), 'utf8')))).toBeUndefined();
  const { context, userDataDir } = await launch({ extensionDirs: [DIST], logToProfile: true });
  const worker = await extensionWorker(context);
  expect(worker.url()).toMatch(new RegExp(`^chrome-extension://${EXTENSION_ID}/`));
  expect(await installedExtensionIds(context)).toContain(EXTENSION_ID);
  expect(readLog(userDataDir)).not.toContain('Failed to load extension');
});

test('a managed-schema.json Chromium rejects stops the extension from loading, with the reason in its log', async ({
  copiesRoot,
  launch,
}) => {
  const copies = BREAKAGES.map(({ name, breakIt }) => {
    const dir = join(copiesRoot, name);
    cpSync(DIST, dir, { recursive: true });
    const schema = JSON.parse(readFileSync(join(dir, 'managed-schema.json'), 'utf8')) as Schema;
    breakIt(schema);
    writeFileSync(join(dir, 'managed-schema.json'), JSON.stringify(schema, null, 2));
    const expected = chromeSchemaLoadError(schema);
    expect(expected, `${name}: the model should refuse it too`).toBeDefined();
    return { name, dir, expected: expected as string };
  });
  // All copies in one browser: each fails on its own, and one launch keeps the test fast.
  const { context, userDataDir } = await launch({ extensionDirs: copies.map((c) => c.dir), logToProfile: true });
  for (const copy of copies) {
    await expect
      .poll(() => readLog(userDataDir), { message: `${copy.name}: Chromium's load error`, timeout: 15_000 })
      .toContain(`Failed to load extension from: ${copy.dir}. ${copy.expected}`);
  }
  expect(await installedExtensionIds(context)).not.toContain(EXTENSION_ID);
  expect(context.serviceWorkers().filter((w) => w.url().startsWith(`chrome-extension://${EXTENSION_ID}/`))).toEqual([]);
});
