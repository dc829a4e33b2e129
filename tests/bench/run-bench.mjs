/**
 * Benchmarks of Softphone Guard in real Chromium with the built extension (docs/benchmarks.md).
 *
 *   npm run bench                (builds dist/ first)
 *   node tests/bench/run-bench.mjs [--runs N] [--smoke] [--out FILE] [--only a,b]
 *
 * Sections (`--only` takes section or figure names): overhead (fetch, fetch-protected,
 * ws-echo, pc-setup, page-load, call-cpu, call-cpu-page-polls), detection, store, sizes, storm,
 * recovery.
 * Writes a JSON result (default bench-results/bench-<time>.json) and prints a table.
 * `--smoke`: one run, short loops and durations, one recovery scenario — a CI step. The exit
 * code is 1 only when something is broken (a figure could not be measured, the probe is
 * missing where it should be, the extension did not recover where it promises to), never
 * because a figure is slow; 2 for bad arguments or a missing browser or build.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DIST, PROJECT_ROOT, extensionWorker, launchBrowser, EXTENSION_ID } from '../support/browser.mjs';
import { monitorBenchPages } from './monitor.mjs';
import { findChromium } from '../support/find-chromium.mjs';
import { pickScenarios } from '../demo/scenarios.mjs';
import { startBenchServer } from './bench-server.mjs';
import { measureDetection } from './detection.mjs';
import { BrokenBench, loadProbed, measureOverhead } from './overhead.mjs';
import { measureRecovery } from './recovery.mjs';
import { measureSizes } from './sizes.mjs';
import { measureFirstRender, measureWriteRate } from './store.mjs';
import { measureRefreshStorm } from './storm.mjs';
import { formatResult } from './table.mjs';

const OVERHEAD_IDS = ['fetch', 'fetch-protected', 'ws-echo', 'pc-setup', 'page-load', 'call-cpu', 'call-cpu-page-polls'];
const SECTIONS = ['overhead', 'detection', 'store', 'sizes', 'storm', 'recovery'];

/** Loop sizes and durations: the full run and the smoke run. */
const PLANS = {
  full: {
    runs: 5,
    overhead: { fetchCalls: 2000, wsMessages: 20_000, pcSetups: 10, pageLoads: 10, callSeconds: 60, pollingCallSeconds: 30 },
    detectionSamples: 30,
    writeObservations: 20_000,
    storeEvents: 100_000,
    renderRepeats: 3,
    stormTabs: 20,
    recoveryScenarios: undefined,
    recoveryDeadlineS: undefined,
  },
  smoke: {
    runs: 1,
    overhead: { fetchCalls: 200, wsMessages: 2000, pcSetups: 3, pageLoads: 5, callSeconds: 10, pollingCallSeconds: 10 },
    detectionSamples: 5,
    writeObservations: 2000,
    storeEvents: 20_000,
    renderRepeats: 1,
    stormTabs: 4,
    recoveryScenarios: 'publish-storm',
    recoveryDeadlineS: 25,
  },
};

function usage(message) {
  console.error(`bench: ${message}`);
  console.error('usage: node tests/bench/run-bench.mjs [--runs N] [--smoke] [--out FILE] [--only a,b]');
  console.error(`  --only: ${[...SECTIONS, ...OVERHEAD_IDS].join(', ')}`);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      runs: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      out: { type: 'string' },
      only: { type: 'string' },
    },
  }));
} catch (e) {
  usage(e instanceof Error ? e.message : String(e));
}

const plan = structuredClone(args.smoke ? PLANS.smoke : PLANS.full);
if (args.runs !== undefined) {
  const n = Number(args.runs);
  if (!Number.isInteger(n) || n < 1 || n > 50) usage(`--runs must be an integer from 1 to 50, got "${args.runs}"`);
  plan.runs = n;
}
const only = args.only
  ? args.only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  : null;
for (const name of only ?? []) if (![...SECTIONS, ...OVERHEAD_IDS].includes(name)) usage(`unknown figure "${name}"`);
const wantSection = (s) => !only || only.includes(s) || (s === 'overhead' && only.some((n) => OVERHEAD_IDS.includes(n)));
const wantOverhead = (id) => !only || only.includes('overhead') || only.includes(id);

const log = (line) => console.log(line);

/** What the figures ran on (docs/benchmarks.md asks for it next to every table). */
function machine(chromium) {
  let version = 'unknown';
  try {
    version = execFileSync(chromium, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // left unknown
  }
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux
  }
  let git = 'unknown';
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--', 'extension', 'src'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim() !== '';
    git = dirty ? `${head} + uncommitted changes in extension/ or src/` : head;
  } catch {
    // not a checkout
  }
  return {
    cpus: cpus().length,
    cpuModel,
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    chromium: version,
    node: process.version,
    git,
  };
}

/** Runs one section; a failure is recorded (and makes the run "broken") instead of ending the run. */
async function section(result, name, fn) {
  const t0 = Date.now();
  log(`▶ ${name}`);
  try {
    return await fn();
  } catch (error) {
    const message = `${name}: ${error instanceof Error ? error.message : String(error)}`;
    result.errors.push(message);
    log(`✘ ${message}`);
    if (!(error instanceof BrokenBench) && error instanceof Error && error.stack) console.error(error.stack);
    return { error: message };
  } finally {
    log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
}

/** The tab id of the live session whose page is on `origin`, asked of the worker from an extension page. */
async function sessionTabId(context, origin) {
  const page = await context.newPage();
  try {
    await page.goto(`chrome-extension://${EXTENSION_ID}/extension/popup/index.html`);
    for (let i = 0; i < 50; i++) {
      const state = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
      const s = state?.sessions?.find((x) => x.alive && typeof x.href === 'string' && x.href.startsWith(origin));
      if (s) return s.tabId;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new BrokenBench(`no live session for ${origin}`);
  } finally {
    await page.close();
  }
}

/** Sections that share one browser with the extension and the benchmark servers. */
async function inBrowserSections(result) {
  const servers = {
    probe: await startBenchServer('127.0.0.1'),
    native: await startBenchServer('127.0.0.2'),
    rtcstats: await startBenchServer('127.0.0.3'),
  };
  const origins = Object.fromEntries(Object.entries(servers).map(([k, s]) => [k, s.url]));
  const { context } = await launchBrowser({ withExtension: true });
  try {
    await monitorBenchPages(context);
    const worker = await extensionWorker(context);
    if (wantSection('overhead')) {
      result.overhead = await section(result, 'overhead', async () => ({
        runs: plan.runs,
        sizes: plan.overhead,
        origins,
        figures: await measureOverhead({ context, origins, runs: plan.runs, sizes: plan.overhead, only: wantOverhead, log }),
        rtcstatsTraceMessages: servers.rtcstats.traceMessages(),
      }));
    }
    if (wantSection('detection')) {
      result.detection = await section(result, 'detection', async () => {
        const page = await context.newPage();
        try {
          if (!(await loadProbed(page, `${origins.probe}/page.html`))) throw new BrokenBench('the probe is missing on the monitored page');
          return await measureDetection({ page, worker, samples: plan.detectionSamples, log });
        } finally {
          await page.close();
        }
      });
    }
    if (wantSection('store')) {
      result.store = await section(result, 'store', async () => {
        const writeRate = await measureWriteRate({
          context,
          worker,
          pageUrl: `${origins.probe}/page.html`,
          observations: plan.writeObservations,
        });
        log(`  store: ${writeRate.perSecond.toFixed(0)} observations/s stored`);
        const page = await context.newPage();
        try {
          await loadProbed(page, `${origins.probe}/page.html`);
          const tabId = await sessionTabId(context, origins.probe);
          const diagnosticsBuilt = existsSync(join(DIST, 'extension/diagnostics/index.html'));
          const firstRender = await measureFirstRender({
            context,
            worker,
            tabId,
            events: plan.storeEvents,
            repeats: plan.renderRepeats,
            diagnosticsBuilt,
          });
          log(
            `  store: popup ${firstRender.popup.emptyMs?.toFixed(0)} → ${firstRender.popup.fullMs?.toFixed(0)} ms, diagnostics ${firstRender.diagnostics.emptyMs?.toFixed(0)} → ${firstRender.diagnostics.fullMs?.toFixed(0)} ms`,
          );
          if (firstRender.popup.fullMs === null) throw new BrokenBench('the popup did not render with the events stored');
          return { writeRate, firstRender };
        } finally {
          await page.close();
        }
      });
    }
  } finally {
    await context.close().catch(() => undefined);
    for (const s of Object.values(servers)) await s.close();
  }
}

async function main() {
  let chromium;
  try {
    chromium = findChromium();
  } catch (e) {
    usage(e.message);
  }
  if (!existsSync(join(DIST, 'manifest.json')))
    usage(`${DIST} has no build: run \`npm run bench\` (it builds first) or \`npm run build\`.`);
  const started = new Date();
  const outFile = resolve(args.out ?? join(PROJECT_ROOT, 'bench-results', `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`));
  mkdirSync(dirname(outFile), { recursive: true });

  const result = {
    startedAt: started.toISOString(),
    mode: args.smoke ? 'smoke' : 'full',
    machine: machine(chromium),
    loadAverageBefore: loadavg(),
    dist: DIST,
    errors: [],
  };
  log(
    `bench: ${result.mode}, ${plan.runs} run(s), ${result.machine.cpus} CPUs, load ${result.loadAverageBefore.map((x) => x.toFixed(2)).join(' ')}`,
  );

  if (['overhead', 'detection', 'store'].some(wantSection)) await inBrowserSections(result);
  if (wantSection('sizes')) result.sizes = await section(result, 'sizes', () => measureSizes(DIST));
  if (wantSection('storm')) {
    result.storm = await section(result, 'storm', async () => {
      const storm = await measureRefreshStorm({ tabs: plan.stormTabs, retryAfterSeconds: 3, log });
      const extra = Object.entries(storm.refreshCallsByUser).filter(([, n]) => n > 1);
      if (storm.tabsRecovered < storm.tabs) throw new BrokenBench(`${storm.tabs - storm.tabsRecovered} storm tab(s) did not recover`);
      if (extra.length) result.errors.push(`storm: more than one refresh call for ${extra.map(([k, n]) => `${k} (${n})`).join(', ')}`);
      return storm;
    });
  }
  if (wantSection('recovery')) {
    result.recovery = await section(result, 'recovery', async () => {
      const rows = await measureRecovery({ scenarios: plan.recoveryScenarios, deadlineS: plan.recoveryDeadlineS, log });
      for (const r of rows) {
        const scenario = pickScenarios(r.scenario)[0];
        if (!r.withExtension.canTakeCall && !scenario.knownGap)
          result.errors.push(`recovery: ${r.scenario} not recovered with the extension in ${r.deadlineS} s`);
      }
      return rows;
    });
  }
  result.loadAverageAfter = loadavg();
  result.finishedAt = new Date().toISOString();
  result.durationS = Math.round((Date.now() - started.getTime()) / 1000);
  writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);

  console.log('');
  console.log(formatResult(result));
  console.log('');
  console.log(`Machine: ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.ramGiB} GiB RAM, ${result.machine.chromium}`);
  console.log(
    `Load average (1/5/15 min): before ${result.loadAverageBefore.map((x) => x.toFixed(2)).join(' ')}, after ${result.loadAverageAfter.map((x) => x.toFixed(2)).join(' ')}`,
  );
  console.log(`Took ${result.durationS} s. Result: ${outFile}`);
  process.exitCode = result.errors.length > 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
