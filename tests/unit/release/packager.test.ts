/**
 * `npm run package` (tests/release/package.mjs) on a real build, no browser: with no key it makes
 * one and says where and which ID; with `SG_SIGNING_KEY` the same ID every time; the three
 * artefacts (CRX3, update.xml, store zip) read back from disk; a version that is not higher than
 * the one it replaces is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import manifest from '../../../manifest.json' with { type: 'json' };
import pkg from '../../../package.json' with { type: 'json' };
import { EXTENSION_ID } from '../../support/browser.mjs';
import { PROJECT_ROOT, compareVersions, extensionIdOfManifestKey, packageExtension, readUpdateXml } from '../../release/packager.mjs';

const BASE_URL = 'https://extensions.example.com/softphone-guard/';
let tmp: string;
let dist: string;
let fixedKey: string;

/** Runs the CLI as `npm run package` does, on the test's build. */
function cli(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('node', ['tests/release/package.mjs', '--dist', dist, '--base-url', BASE_URL, ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, SG_SIGNING_KEY: '', ...env },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const idIn = (stdout: string): string | undefined => /extension ID ([a-p]{32})/.exec(stdout)?.[1];

/** A file inside a zip (a CRX is its header followed by a zip; `unzip` skips the header). */
function unzipFile(archive: string, name: string): string {
  const run = spawnSync('unzip', ['-p', archive, name], { encoding: 'utf8' });
  if (run.status !== 0 && run.status !== 1) throw new Error(`unzip ${archive} ${name}: ${run.stderr}`);
  return run.stdout;
}

beforeAll(() => {
  mkdirSync(join(PROJECT_ROOT, '.tmp'), { recursive: true });
  tmp = mkdtempSync(join(PROJECT_ROOT, '.tmp', 'release-test-'));
  dist = join(tmp, 'dist');
  const build = spawnSync('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'error'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
  // A throwaway key made here: no private key is committed.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  fixedKey = join(tmp, 'fixed.pem');
  writeFileSync(fixedKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}, 120_000);

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('extension ID', () => {
  it('of the committed test key is the ID the e2e tests and the docs name', () => {
    expect(extensionIdOfManifestKey(manifest.key)).toBe(EXTENSION_ID);
  });
});

describe('npm run package', () => {
  it('with no key: generates one in the keys folder (0600), says where, that it must be kept, and the ID', () => {
    const keys = join(tmp, 'keys');
    const run = cli(['--out', join(tmp, 'fresh'), '--keys-dir', keys]);
    expect(run.status, run.stderr).toBe(0);
    const keyPath = join(keys, 'softphone-guard-release.pem');
    expect(existsSync(keyPath)).toBe(true);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    const id = idIn(run.stdout);
    expect(id).toMatch(/^[a-p]{32}$/);
    expect(run.stderr).toContain('A NEW RELEASE KEY WAS GENERATED');
    expect(run.stderr).toContain(keyPath);
    expect(run.stderr).toContain(`extension ID ${id}`);
    expect(run.stderr).toMatch(/KEEP THIS FILE/);
    // Run again with no key: the one generated is reused, nothing new said.
    const again = cli(['--out', join(tmp, 'fresh-2'), '--keys-dir', keys]);
    expect(again.status, again.stderr).toBe(0);
    expect(idIn(again.stdout)).toBe(id);
    expect(again.stderr).not.toContain('A NEW RELEASE KEY');
  }, 60_000);

  it('with SG_SIGNING_KEY: the same ID every time, and the three artefacts as specified', () => {
    const runs = [join(tmp, 'a'), join(tmp, 'b')].map((out) => ({ out, run: cli(['--out', out], { SG_SIGNING_KEY: fixedKey }) }));
    for (const { run } of runs) expect(run.status, run.stderr).toBe(0);
    const ids = runs.map(({ run }) => idIn(run.stdout));
    expect(ids[0]).toMatch(/^[a-p]{32}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[0]).not.toBe(EXTENSION_ID);
    const id = ids[0]!;
    const version = pkg.version;

    for (const { out } of runs) {
      // CRX3: magic "Cr24", format version 3, then the header, then the zip.
      const crxPath = join(out, `softphone-guard-${version}.crx`);
      const crx = readFileSync(crxPath);
      expect(crx.subarray(0, 4).toString('latin1')).toBe('Cr24');
      expect(crx.readUInt32LE(4)).toBe(3);
      const headerSize = crx.readUInt32LE(8);
      expect(crx.subarray(12 + headerSize, 12 + headerSize + 4).toString('latin1')).toBe('PK\u0003\u0004');
      const packed = JSON.parse(unzipFile(crxPath, 'manifest.json')) as {
        key: string;
        version: string;
        manifest_version: number;
        update_url: string;
      };
      expect(packed.version).toBe(version);
      // Installed copies look for updates where the update.xml is served, not in a store.
      expect(packed.update_url).toBe(`${BASE_URL}update.xml`);
      expect(packed.manifest_version).toBe(3);
      expect(extensionIdOfManifestKey(packed.key)).toBe(id);
      expect(packed.key).not.toBe(manifest.key);

      const xml = readFileSync(join(out, 'update.xml'), 'utf8');
      expect(xml).toContain("xmlns='http://www.google.com/update2/response' protocol='2.0'");
      expect(readUpdateXml(xml)).toEqual({ appid: id, version });
      expect(xml).toContain(`codebase='${BASE_URL}softphone-guard-${version}.crx'`);

      const storeZip = join(out, `softphone-guard-${version}-store.zip`);
      const store = JSON.parse(unzipFile(storeZip, 'manifest.json')) as Record<string, unknown>;
      expect(store).not.toHaveProperty('key');
      expect(store).not.toHaveProperty('update_url');
      expect(store.version).toBe(version);
      expect(unzipFile(storeZip, 'managed-schema.json').length).toBeGreaterThan(0);
    }
  }, 60_000);

  it('refuses a version not higher than the update.xml it replaces, or one of another extension ID', async () => {
    const out = join(tmp, 'versions');
    const first = await packageExtension({ distDir: dist, outDir: out, baseUrl: BASE_URL, keyPath: fixedKey, version: '1.2.3' });
    await expect(packageExtension({ distDir: dist, outDir: out, baseUrl: BASE_URL, keyPath: fixedKey, version: '1.2.3' })).rejects.toThrow(
      /not higher than 1\.2\.3/,
    );
    await expect(
      packageExtension({ distDir: dist, outDir: out, baseUrl: BASE_URL, keyPath: fixedKey, version: '1.2.2.9' }),
    ).rejects.toThrow(/not higher/);
    const next = await packageExtension({ distDir: dist, outDir: out, baseUrl: BASE_URL, keyPath: fixedKey, version: '1.2.4' });
    expect(next.id).toBe(first.id);
    expect(readUpdateXml(readFileSync(next.updateXmlPath, 'utf8'))?.version).toBe('1.2.4');

    // --replace names the update.xml being served; another key's would change every workstation's ID.
    const other = join(tmp, 'other.pem');
    writeFileSync(other, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await expect(
      packageExtension({
        distDir: dist,
        outDir: join(tmp, 'v-other'),
        baseUrl: BASE_URL,
        keyPath: other,
        version: '9.0',
        replace: next.updateXmlPath,
      }),
    ).rejects.toThrow(/is for extension .* this key gives/);
    await expect(
      packageExtension({
        distDir: dist,
        outDir: join(tmp, 'v-missing'),
        baseUrl: BASE_URL,
        keyPath: fixedKey,
        replace: join(tmp, 'nope.xml'),
      }),
    ).rejects.toThrow(/does not exist/);
  }, 60_000);

  it('orders versions as Chromium does (numerically, missing parts are 0)', () => {
    expect(compareVersions('0.1.10', '0.1.9')).toBeGreaterThan(0);
    expect(compareVersions('1.0', '1.0.0.0')).toBe(0);
    expect(compareVersions('1.2', '1.10')).toBeLessThan(0);
  });
});
