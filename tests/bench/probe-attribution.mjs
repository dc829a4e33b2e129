/**
 * Where the page probe's bytes come from: each source file's share of the built probe, read from
 * its source map (Source Map Revision 3: base64 VLQ `mappings`). Every generated character up to
 * the next mapping counts for the source of its mapping; characters no mapping names count as
 * `(none)`. Used to decide what to move out of the probe (docs/benchmarks.md, issue 17 item 4).
 *
 *   npx vite build --outDir .tmp/dist-x --sourcemap
 *   node tests/bench/probe-attribution.mjs .tmp/dist-x/extension/page/probe.iife.js
 *
 * Prints built bytes per source, largest first, then the total, the file's length and its
 * gzip size (node:zlib, level 9, as tests/bench/sizes.mjs measures).
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The numbers of one VLQ segment. */
function decodeSegment(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = BASE64.indexOf(ch);
    if (digit < 0) throw new Error(`not a base64 VLQ digit: ${ch}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/**
 * @param {string} code the generated file
 * @param {{ sources: string[], mappings: string }} map its source map
 * @returns {Map<string, number>} generated characters per source
 */
export function attribute(code, map) {
  const lines = code.split('\n');
  const bytes = new Map();
  let source = 0;
  const add = (name, n) => bytes.set(name, (bytes.get(name) ?? 0) + n);
  map.mappings.split(';').forEach((line, index) => {
    let column = 0;
    const starts = [];
    for (const segment of line.split(',')) {
      if (segment === '') continue;
      const v = decodeSegment(segment);
      column += v[0];
      if (v.length > 1) source += v[1];
      starts.push([column, v.length > 1 ? map.sources[source] : '(none)']);
    }
    const length = lines[index]?.length ?? 0;
    if (starts.length === 0) {
      add('(none)', length);
      return;
    }
    add('(none)', starts[0][0]);
    starts.forEach(([start, name], i) => add(name, (i + 1 < starts.length ? starts[i + 1][0] : length) - start));
  });
  return bytes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node tests/bench/probe-attribution.mjs <built probe.iife.js, with its .map beside it>');
    process.exit(2);
  }
  const code = readFileSync(file, 'utf8');
  const bytes = attribute(code, JSON.parse(readFileSync(`${file}.map`, 'utf8')));
  let total = 0;
  for (const [name, n] of [...bytes].sort((a, b) => b[1] - a[1])) {
    total += n;
    console.log(String(n).padStart(7), name.replace(/^(\.\.\/)+/, ''));
  }
  console.log(`total ${total}, file ${code.length} characters, gzip ${gzipSync(code, { level: 9 }).length} bytes`);
}
