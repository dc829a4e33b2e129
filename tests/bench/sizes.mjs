/**
 * Sizes of the built scripts: the page probe and relay (the classic scripts injected into
 * every monitored page at document_start) and every other JavaScript bundle in the build.
 * Per file: as built, minified again with the oxc minifier vite itself uses (rolldown/utils
 * `minify`; the build is already minified, so the two should be close), and gzipped (node:zlib,
 * level 9) — what a download or a parse costs.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { minify } from 'rolldown/utils';

function* jsFiles(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* jsFiles(p);
    else if (name.endsWith('.js')) yield p;
  }
}

/** What a built file is: the two injected classic scripts are what every monitored page loads. */
function roleOf(file) {
  if (file === 'extension/page/probe.iife.js') return 'page probe (injected)';
  if (file === 'extension/relay/relay.iife.js') return 'relay (injected)';
  if (file.includes('probe.iife.ts-') || file.includes('relay.iife.ts-')) return 'module chunk (not injected)';
  if (file.includes('index.ts-')) return 'service worker';
  return 'bundle';
}

/**
 * @param {string} dist the unpacked extension
 * @returns {Promise<Array<{ file: string, role: string, rawBytes: number, minifiedBytes: number, gzipBytes: number }>>}
 *   probe and relay first, then the rest largest first; bytes
 */
export async function measureSizes(dist) {
  const out = [];
  for (const path of jsFiles(dist)) {
    const file = relative(dist, path);
    const code = readFileSync(path, 'utf8');
    let minified = code;
    try {
      const result = await minify(file, code, { compress: true, mangle: true });
      if (!result.errors?.length) minified = result.code;
    } catch {
      // keep the built code: it is minified already
    }
    const role = roleOf(file);
    out.push({
      file,
      role,
      rawBytes: Buffer.byteLength(code),
      minifiedBytes: Buffer.byteLength(minified),
      gzipBytes: gzipSync(Buffer.from(minified), { level: 9 }).length,
    });
  }
  const rank = (r) => (r.file.startsWith('extension/page/') ? 0 : r.file.startsWith('extension/relay/') ? 1 : 2);
  return out.sort((a, b) => rank(a) - rank(b) || b.rawBytes - a.rawBytes);
}
