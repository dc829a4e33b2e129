/**
 * Packs a build of the extension (dist/) for release, from one build:
 *
 * - `softphone-guard-<version>.crx`: a CRX3 signed with the release key, whose manifest `key` is
 *   the release key's public key, so the ID Chromium gives it is the one the policies name, and
 *   whose manifest `update_url` is `<base-url>update.xml`, where installed copies look for updates;
 * - `update.xml`: the update manifest (gupdate protocol 2.0: `appid`, `codebase`, `version`) for
 *   the `update_url` of the force-install policy (docs/deployment.md);
 * - `softphone-guard-<version>-store.zip`: the same files without `key` and `update_url`, for the
 *   Chrome Web Store and Edge Add-ons (the store assigns its own ID, rejects a `key` and serves
 *   the updates itself).
 *
 * Packager: `crx3` (npm, 2.0.0, March 2026; dependencies mri, pbf, yazl; writes only CRX3,
 * streaming, keys from Node's crypto). Compared with `crx` (5.0.1, December 2024; CRX3 since
 * 5.0, but on archiver 3, commander 2 and node-rsa), it is the maintained one with the smaller
 * tree. Its package.json asks for Node 22; it loads on Node 20.19+ (require of the ESM `pbf`),
 * which the unit tests run on. The store zip is written with `yazl`, the zip writer crx3 uses.
 *
 * Extension ID: the first 32 hex digits of SHA-256 of the public key's DER (SubjectPublicKeyInfo),
 * each mapped 0–f → a–p (Chromium `crx_file::id_util::GenerateId`).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, relative, resolve } from 'node:path';

const require = createRequire(import.meta.url);
/** @type {(files: string[], options: Record<string, unknown>) => Promise<{ appId: string }>} */
const crx3 = require('crx3');
const yazl = require('yazl');

export const PROJECT_ROOT = resolve(new URL('../..', import.meta.url).pathname);
/** Where a generated release key goes when none is given (git-ignored). */
export const DEFAULT_KEYS_DIR = join(PROJECT_ROOT, '.keys');
export const DEFAULT_KEY_FILE = 'softphone-guard-release.pem';
/** File name stem of the artefacts. */
export const NAME = 'softphone-guard';

/**
 * The extension ID of a public key.
 * @param {Buffer} spkiDer the public key, DER SubjectPublicKeyInfo (what a manifest `key` holds, base64)
 * @returns {string} 32 letters a–p
 */
export function extensionId(spkiDer) {
  const hex = createHash('sha256').update(spkiDer).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

/** The ID of a manifest's base64 `key`. */
export const extensionIdOfManifestKey = (key) => extensionId(Buffer.from(key, 'base64'));

/**
 * The release key: the PEM at `keyPath` when given (`--key` or `SG_SIGNING_KEY`), else the one
 * in `keysDir`, generated there (RSA 2048, PKCS#8, mode 0600) when missing.
 * @param {{ keyPath?: string, keysDir?: string }} options
 * @returns {{ path: string, created: boolean, publicKeyDer: Buffer, id: string }}
 * @throws {Error} when `keyPath` is given but missing or not a private key
 */
export function releaseKey({ keyPath, keysDir = DEFAULT_KEYS_DIR }) {
  let path = keyPath ? resolve(keyPath) : join(keysDir, DEFAULT_KEY_FILE);
  let created = false;
  if (!existsSync(path)) {
    if (keyPath) throw new Error(`the signing key ${path} does not exist`);
    mkdirSync(keysDir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    chmodSync(path, 0o600);
    created = true;
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(readFileSync(path));
  } catch (error) {
    throw new Error(`${path} is not a PEM private key: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const publicKeyDer = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  path = resolve(path);
  return { path, created, publicKeyDer, id: extensionId(publicKeyDer) };
}

/**
 * Compares two extension versions (1–4 dot-separated integers; Chromium `base::Version`).
 * @returns {number} negative, zero or positive as `a` is lower than, equal to or higher than `b`
 */
export function compareVersions(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const VERSION_RE = /^\d{1,9}(\.\d{1,9}){0,3}$/;

const xmlAttr = (s) => s.replace(/&/g, '&amp;').replace(/'/g, '&apos;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The update manifest Chromium fetches from `update_url` (gupdate protocol 2.0, the format of
 * developer.chrome.com "Self-host for Linux" / "Autoupdating"; Chromium
 * `extensions/browser/updater/safe_manifest_parser.cc`).
 * @param {{ appid: string, codebase: string, version: string, prodversionmin?: string }} app
 */
export function updateXml({ appid, codebase, version, prodversionmin }) {
  const min = prodversionmin ? ` prodversionmin='${xmlAttr(prodversionmin)}'` : '';
  return [
    "<?xml version='1.0' encoding='UTF-8'?>",
    "<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>",
    `  <app appid='${xmlAttr(appid)}'>`,
    `    <updatecheck codebase='${xmlAttr(codebase)}' version='${xmlAttr(version)}'${min} />`,
    '  </app>',
    '</gupdate>',
    '',
  ].join('\n');
}

/**
 * The `appid` and `version` of the first app in an update manifest written by {@link updateXml}
 * (or by hand in the same shape), or null when the file has none.
 * @param {string} xml
 * @returns {{ appid: string, version: string } | null}
 */
export function readUpdateXml(xml) {
  const app = /<app\b[^>]*\bappid=['"]([^'"]+)['"]/.exec(xml);
  const check = /<updatecheck\b[^>]*\bversion=['"]([^'"]+)['"]/.exec(xml);
  return app && check ? { appid: app[1], version: check[1] } : null;
}

/** Every file under `dir`, absolute paths, sorted (a stable zip order). */
function filesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out.sort();
}

/** Zips `dir` (its files at the zip's root) into `zipPath`. */
function zipDir(dir, zipPath) {
  return new Promise((resolvePromise, reject) => {
    const zip = new yazl.ZipFile();
    const out = createWriteStream(zipPath);
    out.once('error', reject);
    out.once('close', resolvePromise);
    zip.outputStream.once('error', reject).pipe(out);
    for (const file of filesUnder(dir)) zip.addFile(file, relative(dir, file).split('\\').join('/'), { compressionLevel: 9 });
    zip.end();
  });
}

/**
 * @typedef {object} PackageOptions
 * @property {string} distDir the built extension (vite build output)
 * @property {string} outDir where the artefacts go (created)
 * @property {string} baseUrl the HTTPS folder the CRX is served from, e.g. `https://extensions.example.com/softphone-guard/`
 * @property {string} [keyPath] the release key (PEM); default: {@link DEFAULT_KEYS_DIR}, generated when missing
 * @property {string} [keysDir] where a generated key goes (default {@link DEFAULT_KEYS_DIR})
 * @property {string} [version] default: package.json `version`
 * @property {string} [replace] an update.xml these artefacts replace (default: `outDir/update.xml` when it exists)
 */

/**
 * @typedef {object} PackageResult
 * @property {string} id the extension ID under the release key
 * @property {string} version
 * @property {{ path: string, created: boolean }} key
 * @property {string} crxPath
 * @property {string} updateXmlPath
 * @property {string} storeZipPath
 * @property {string} codebase the CRX's URL written in update.xml
 * @property {string} updateUrl where update.xml must be served: the CRX manifest's `update_url`
 * @property {{ crx: number, updateXml: number, storeZip: number }} sizes bytes
 */

/**
 * Packs `distDir` as described at the top of this file.
 * @param {PackageOptions} options
 * @returns {Promise<PackageResult>}
 * @throws {Error} when the version is not higher than the one of the update.xml it replaces, that
 *   update.xml names another extension ID, the version or base URL is malformed, or the build has no manifest
 */
export async function packageExtension(options) {
  const distDir = resolve(options.distDir);
  const outDir = resolve(options.outDir);
  const manifestPath = join(distDir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} is missing: build first (npx vite build)`);
  const version = options.version ?? JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).version;
  if (!VERSION_RE.test(version)) throw new Error(`"${version}" is not an extension version (1–4 dot-separated integers)`);
  let base;
  try {
    base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  } catch {
    throw new Error(`--base-url "${options.baseUrl}" is not a URL`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw new Error(`--base-url must be https (or http for a lab): ${base.href}`);

  const key = releaseKey({ keyPath: options.keyPath, keysDir: options.keysDir });

  // Never move an installed fleet backwards or sideways.
  const replacePath = options.replace ? resolve(options.replace) : join(outDir, 'update.xml');
  if (existsSync(replacePath)) {
    const previous = readUpdateXml(readFileSync(replacePath, 'utf8'));
    if (previous && previous.appid !== key.id) {
      throw new Error(
        `${replacePath} is for extension ${previous.appid}, this key gives ${key.id}: wrong key (see docs/deployment.md, "Release key")`,
      );
    }
    if (previous && compareVersions(version, previous.version) <= 0) {
      throw new Error(`version ${version} is not higher than ${previous.version} in ${replacePath}: raise "version" in package.json`);
    }
  } else if (options.replace) {
    throw new Error(`--replace ${replacePath} does not exist`);
  }

  mkdirSync(outDir, { recursive: true });
  const stage = mkdtempSync(join(outDir, '.stage-'));
  try {
    const crxDir = join(stage, 'crx');
    const storeDir = join(stage, 'store');
    cpSync(distDir, crxDir, { recursive: true });
    cpSync(distDir, storeDir, { recursive: true });
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.version = version;
    // `update_url`: where an installed copy looks for updates. The force-install policy's
    // `update_url` is used for the install only; afterwards the manifest's counts unless the policy
    // also sets `override_update_url`, and a manifest without one is updated from the Chrome Web
    // Store (chrome/browser/extensions/extension_management.cc, `GetEffectiveUpdateURL`;
    // chrome/browser/extensions/updater/extension_updater.cc, `CanUseUpdateService`).
    const updateUrl = new URL('update.xml', base).href;
    writeFileSync(
      join(crxDir, 'manifest.json'),
      JSON.stringify({ ...manifest, key: key.publicKeyDer.toString('base64'), update_url: updateUrl }, null, 2),
    );
    // The store assigns its own ID and updates from itself: no `key`, no `update_url`.
    const storeManifest = { ...manifest };
    delete storeManifest.key;
    delete storeManifest.update_url;
    writeFileSync(join(storeDir, 'manifest.json'), JSON.stringify(storeManifest, null, 2));

    const crxPath = join(outDir, `${NAME}-${version}.crx`);
    const storeZipPath = join(outDir, `${NAME}-${version}-store.zip`);
    const updateXmlPath = join(outDir, 'update.xml');
    // crx3 takes every file of the folder when given the manifest alone (lib/getFilePaths.js);
    // naming the folder as well would put manifest.json in twice, which Chromium refuses to unzip.
    const info = await crx3([join(crxDir, 'manifest.json')], { keyPath: key.path, crxPath });
    if (info.appId !== key.id) throw new Error(`crx3 signed as ${info.appId}, expected ${key.id}`);
    await zipDir(storeDir, storeZipPath);
    const codebase = new URL(basename(crxPath), base).href;
    writeFileSync(updateXmlPath, updateXml({ appid: key.id, codebase, version, prodversionmin: manifest.minimum_chrome_version }));
    return {
      id: key.id,
      version,
      key: { path: key.path, created: key.created },
      crxPath,
      updateXmlPath,
      storeZipPath,
      codebase,
      updateUrl,
      sizes: { crx: statSync(crxPath).size, updateXml: statSync(updateXmlPath).size, storeZip: statSync(storeZipPath).size },
    };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
