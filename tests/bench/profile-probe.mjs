/**
 * Where the wrapped page's time goes: CPU profiles (CDP `Profiler`) of the benchmark page on
 * the monitored origin, one per path, summed as self time per script (the probe, the relay,
 * the page, the browser's natives) and per function. Used to explain an overhead ratio above
 * 1.05 (docs/benchmarks.md).
 *
 *   node tests/bench/profile-probe.mjs [--paths fetch,fetch-protected,pc-setup,ws-echo,page-load,call,call-page-polls]
 *
 * Sampling itself slows the page: compare scripts with each other, not with the benchmark's
 * wall-clock figures.
 */
import { parseArgs } from 'node:util';
import { launchBrowser } from '../support/browser.mjs';
import { monitorBenchPages } from './monitor.mjs';
import { startBenchServer } from './bench-server.mjs';
import { loadProbed } from './overhead.mjs';

const PATHS = {
  fetch: { label: 'fetch ×1000, unprotected', run: (p) => p.evaluate(() => window.bench.fetchLoop(1000, '/blank', false)) },
  'fetch-protected': {
    label: 'fetch ×1000, protected with a bearer token',
    run: (p) => p.evaluate(() => window.bench.fetchLoop(1000, '/api/v2/bench', true)),
  },
  'pc-setup': {
    label: 'peer-connection setup ×10',
    run: (p) =>
      p.evaluate(async () => {
        for (let i = 0; i < 10; i++) await window.bench.pcSetup();
      }),
  },
  'ws-echo': { label: 'WebSocket echo ×5000', run: (p) => p.evaluate(() => window.bench.wsEcho(5000)) },
  'page-load': {
    label: 'blank page load ×10',
    run: async (p, origin) => {
      for (let i = 0; i < 10; i++) await p.goto(`${origin}/blank.html?${i}`, { waitUntil: 'load' });
      await p.goto(`${origin}/page.html`);
    },
  },
  call: {
    label: 'a call, 30 s (getStats polling)',
    before: (p) => p.evaluate(() => window.bench.startCall()),
    run: (p) => p.waitForTimeout(30_000),
    after: (p) => p.evaluate(() => window.bench.stopCall()),
  },
  'call-page-polls': {
    label: 'a call, 30 s, the page polling getStats every 1 s itself',
    before: (p) => p.evaluate(() => window.bench.startCall(1000)),
    run: (p) => p.waitForTimeout(30_000),
    after: (p) => p.evaluate(() => window.bench.stopCall()),
  },
};

/** Self time (ms) per key of a CDP profile. */
function selfTimes(profile, keyOf) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map();
  profile.samples.forEach((id, i) => {
    const key = keyOf(byId.get(id).callFrame);
    out.set(key, (out.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  });
  return [...out].filter(([k]) => !k.includes('(idle)')).sort((a, b) => b[1] - a[1]);
}

const scriptOf = (f) => (f.url ? f.url.replace(/^.*\//, '') : `(${f.functionName || 'native'})`);

async function main() {
  const { values } = parseArgs({ options: { paths: { type: 'string' } } });
  const names = values.paths ? values.paths.split(',') : Object.keys(PATHS);
  for (const n of names) if (!PATHS[n]) throw new Error(`unknown path "${n}"; known: ${Object.keys(PATHS).join(', ')}`);
  const server = await startBenchServer('127.0.0.1');
  const { context } = await launchBrowser({ withExtension: true });
  try {
    await monitorBenchPages(context);
    const page = await context.newPage();
    if (!(await loadProbed(page, `${server.url}/page.html`))) throw new Error('the probe is missing on the monitored page');
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    for (const n of names) {
      const path = PATHS[n];
      if (path.before) await path.before(page);
      await cdp.send('Profiler.start');
      const t0 = Date.now();
      await path.run(page, server.url);
      const wallMs = Date.now() - t0;
      const { profile } = await cdp.send('Profiler.stop');
      if (path.after) await path.after(page);
      console.log(`\n== ${path.label}: ${wallMs} ms wall`);
      for (const [k, ms] of selfTimes(profile, scriptOf).slice(0, 10)) console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${k}`);
      console.log('  top functions:');
      for (const [k, ms] of selfTimes(
        profile,
        (f) => `${scriptOf(f)} ${f.functionName || '(anonymous)'}:${f.lineNumber}:${f.columnNumber}`,
      ).slice(0, 12)) {
        console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${k}`);
      }
    }
  } finally {
    await context.close();
    await server.close();
  }
}

main().catch((error) => {
  console.error(`profile: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
