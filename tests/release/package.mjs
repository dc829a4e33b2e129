/**
 * `npm run package`: builds the extension and packs it for release (tests/release/packager.mjs):
 * a signed CRX3, its update.xml and the store zip, in `--out` (default `release/`, git-ignored).
 *
 *   npm run package -- --base-url https://extensions.example.com/softphone-guard/
 *   node tests/release/package.mjs [--base-url URL] [--out DIR] [--key PEM] [--replace update.xml]
 *                                  [--dist DIR (an existing build: no build)] [--keys-dir DIR]
 *
 * The release key: `--key`, else the path in `SG_SIGNING_KEY`, else `.keys/softphone-guard-release.pem`
 * (git-ignored), generated there when missing — the command then says so loudly. The version
 * is package.json's; it must be higher than the one in the update.xml it replaces (`--replace`,
 * default the one already in `--out`). docs/deployment.md says what to do with the artefacts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_KEYS_DIR, PROJECT_ROOT, packageExtension } from './packager.mjs';

const USAGE = `usage: npm run package -- [--base-url URL] [--out DIR] [--key PEM] [--replace update.xml]
                            [--dist DIR] [--keys-dir DIR]
  --base-url  where the CRX and update.xml will be served (HTTPS, ends with /)
  --out       folder for the CRX, update.xml and store zip (default release/)
  --key       the release key (PEM); default $SG_SIGNING_KEY, else .keys/softphone-guard-release.pem,
              generated when missing
  --replace   the update.xml now served; the new version must be higher (default the one in --out)
  --dist      pack an existing build instead of building
  --keys-dir  where a generated key goes (default .keys/)
docs/deployment.md says what to do with the artefacts.`;

let values;
try {
  ({ values } = parseArgs({
    options: {
      'base-url': { type: 'string', default: 'https://extensions.example.com/softphone-guard/' },
      out: { type: 'string', default: join(PROJECT_ROOT, 'release') },
      key: { type: 'string' },
      'keys-dir': { type: 'string', default: DEFAULT_KEYS_DIR },
      replace: { type: 'string' },
      dist: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  console.error(`package: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

let distDir = values.dist ? resolve(values.dist) : undefined;
let buildDir;
if (!distDir) {
  mkdirSync(join(PROJECT_ROOT, '.tmp'), { recursive: true });
  buildDir = mkdtempSync(join(PROJECT_ROOT, '.tmp', 'package-build-'));
  const build = spawnSync('npx', ['vite', 'build', '--outDir', buildDir, '--emptyOutDir'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (build.status !== 0) {
    rmSync(buildDir, { recursive: true, force: true });
    console.error('package: the build failed');
    process.exit(1);
  }
  distDir = buildDir;
}

try {
  const result = await packageExtension({
    distDir,
    outDir: values.out,
    baseUrl: values['base-url'],
    keyPath: values.key ?? (process.env.SG_SIGNING_KEY || undefined),
    keysDir: values['keys-dir'],
    replace: values.replace,
  });
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  if (result.key.created) {
    const bar = '!'.repeat(78);
    console.error(
      [
        bar,
        'A NEW RELEASE KEY WAS GENERATED:',
        `  ${result.key.path}`,
        `It gives the extension ID ${result.id}.`,
        'KEEP THIS FILE (a password manager or a secrets vault, and a backup). Every later',
        'release must be signed with it: without it the next CRX gets a new extension ID, and',
        'every workstation, policy and OAuth redirect that names the old ID has to change.',
        'Next time: SG_SIGNING_KEY=<path> npm run package (or --key <path>).',
        bar,
      ].join('\n'),
    );
  }
  console.log(`extension ID ${result.id} (release key ${result.key.path})`);
  console.log(`version      ${result.version}`);
  console.log(`CRX3         ${result.crxPath} (${kib(result.sizes.crx)})`);
  console.log(`update.xml   ${result.updateXmlPath} (codebase ${result.codebase}; serve it at ${result.updateUrl})`);
  console.log(`store zip    ${result.storeZipPath} (${kib(result.sizes.storeZip)}, no "key", no "update_url")`);
} catch (error) {
  console.error(`package: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
}
