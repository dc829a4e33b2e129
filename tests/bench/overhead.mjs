/**
 * Probe overhead, side by side in one browser: the same page script on a monitored origin
 * (`http://127.0.0.1:*`, in the default `softphoneUrlPatterns`, so the probe and relay are
 * injected) and on unmonitored ones (`127.0.0.2` native; `127.0.0.3` with rtcstats). Each run
 * measures every variant back to back, alternating which goes first and splitting long loops
 * into interleaved chunks, so drift (other load on the machine) hits both sides alike; the
 * ratio of a run is wrapped ÷ native of that run.
 */
import { pairedRatios, median, summarize } from './stats.mjs';

/** Loops are split into this many interleaved chunks per variant. */
const CHUNKS = 4;

/** A figure that could not be measured because something is broken (not merely slow). */
export class BrokenBench extends Error {}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Longest wait for the probe on a monitored page, ms: right after the browser starts, the
 * worker registers its content scripts only once it has read its policy (2–5 s, docs/architecture.md §7,
 * longer on a loaded machine), and a page loaded before that is not monitored.
 */
const PROBE_WAIT_MS = 30_000;

/**
 * Loads `url` until the probe is in it (reloading while the worker registers its scripts).
 * @returns {Promise<boolean>} whether it is, after at most {@link PROBE_WAIT_MS}
 */
export async function loadProbed(page, url) {
  const end = Date.now() + PROBE_WAIT_MS;
  for (;;) {
    await page.goto(url);
    if (await page.evaluate(() => window.bench.probed())) return true;
    if (Date.now() > end) return false;
    await sleep(500);
  }
}

/**
 * Opens the three variant pages and checks each is what it claims to be.
 * @param {import('@playwright/test').BrowserContext} context a browser with the extension
 * @param {{ probe: string, native: string, rtcstats: string }} origins
 * @throws {BrokenBench} when the probe is missing on the monitored page or present elsewhere
 */
export async function openVariantPages(context, origins) {
  const pages = {};
  for (const [name, origin] of Object.entries(origins)) {
    const page = await context.newPage();
    const url = `${origin}/page.html${name === 'rtcstats' ? '?rtcstats=1' : ''}`;
    if (name === 'probe') await loadProbed(page, url);
    else await page.goto(url);
    const probed = await page.evaluate(() => window.bench.probed());
    if (probed !== (name === 'probe')) {
      throw new BrokenBench(
        `${name} page at ${origin}: probe ${probed ? 'installed' : 'missing'} (expected ${name === 'probe' ? 'installed' : 'missing'})`,
      );
    }
    pages[name] = page;
  }
  return pages;
}

/** Order of the variants in run `run`: reversed every other run. */
const ordered = (names, run) => (run % 2 === 0 ? names : [...names].reverse());

/**
 * A loop of `total` iterations per variant, in {@link CHUNKS} interleaved chunks.
 * @returns {Promise<Record<string, number>>} ms per iteration, per variant
 */
async function chunkedLoop(pages, names, run, total, body) {
  const ms = Object.fromEntries(names.map((n) => [n, 0]));
  const per = Math.ceil(total / CHUNKS);
  for (let c = 0; c < CHUNKS; c++) {
    for (const name of ordered(names, run + c)) ms[name] += await pages[name].evaluate(body, per);
  }
  return Object.fromEntries(names.map((n) => [n, ms[n] / (per * CHUNKS)]));
}

/** Repeats `sample` `count` times per variant, alternating; per-variant median. */
async function alternating(names, run, count, sample) {
  const xs = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < count; i++) for (const name of ordered(names, run + i)) xs[name].push(await sample(name));
  return Object.fromEntries(names.map((n) => [n, median(xs[n])]));
}

/** DOMContentLoaded of a fresh navigation, ms after navigation start (Navigation Timing Level 2). */
async function domContentLoaded(page, url) {
  await page.goto(url, { waitUntil: 'load' });
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return nav.domContentLoadedEventEnd - nav.startTime;
  });
}

/** CDP `Performance.getMetrics` as a name → value map (durations in s). */
async function metrics(cdp) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

/**
 * CPU of each variant's renderer during a call of `seconds`, all three calls at once (each
 * page is its own site, so its own renderer process). CDP `Performance.getMetrics`:
 * `ProcessTime` = CPU time of the whole renderer process (WebRTC and audio threads included),
 * `ThreadTime` = CPU time of its main thread, `ScriptDuration` = time in JavaScript, all s.
 * @param {number} [pagePollMs] the page polls `getStats()` itself every this many ms (0: never)
 * @returns {Promise<Record<string, { processMs: number, threadMs: number, scriptMs: number, audioBytes: number }>>}
 * @throws {BrokenBench} when a call does not carry audio, or the page's own polling got no report
 */
async function callCpu(context, pages, names, seconds, pagePollMs = 0) {
  const cdps = {};
  for (const n of names) {
    cdps[n] = await context.newCDPSession(pages[n]);
    await cdps[n].send('Performance.enable', { timeDomain: 'threadTicks' });
  }
  try {
    await Promise.all(names.map((n) => pages[n].evaluate((ms) => window.bench.startCall(ms), pagePollMs)));
    await sleep(2000); // past ICE and the first stats polls
    const before = {};
    const bytes0 = {};
    for (const n of names) {
      before[n] = await metrics(cdps[n]);
      bytes0[n] = await pages[n].evaluate(() => window.bench.callBytes());
    }
    await sleep(seconds * 1000);
    const out = {};
    for (const n of names) {
      const after = await metrics(cdps[n]);
      const audioBytes = (await pages[n].evaluate(() => window.bench.callBytes())) - bytes0[n];
      if (!(audioBytes > 0)) throw new BrokenBench(`the ${n} call carried no audio`);
      if (pagePollMs > 0 && !((await pages[n].evaluate(() => window.bench.pagePolls())) > 0)) {
        throw new BrokenBench(`the ${n} page's own getStats() polling read no RTP stream`);
      }
      out[n] = {
        processMs: (after.ProcessTime - before[n].ProcessTime) * 1000,
        threadMs: (after.ThreadTime - before[n].ThreadTime) * 1000,
        scriptMs: (after.ScriptDuration - before[n].ScriptDuration) * 1000,
        audioBytes,
      };
    }
    return out;
  } finally {
    for (const n of names) {
      await pages[n].evaluate(() => window.bench.stopCall()).catch(() => undefined);
      await cdps[n].detach().catch(() => undefined);
    }
  }
}

/**
 * @typedef {{ fetchCalls: number, wsMessages: number, pcSetups: number, pageLoads: number, callSeconds: number,
 *   pollingCallSeconds: number }} OverheadSizes
 * @typedef {{ id: string, title: string, unit: string, lowerIsBetter: true,
 *   perRun: Record<string, number[]>, ratio: ReturnType<typeof pairedRatios>,
 *   ratioRtcstats?: ReturnType<typeof pairedRatios>, note?: string }} OverheadFigure
 */

/**
 * Runs the overhead figures `runs` times.
 * @param {{ context: import('@playwright/test').BrowserContext, origins: { probe: string, native: string, rtcstats: string },
 *   runs: number, sizes: OverheadSizes, only: (id: string) => boolean, log: (line: string) => void }} opts
 * @returns {Promise<OverheadFigure[]>} one entry per figure measured; ratios wrapped ÷ native
 * @throws {BrokenBench} see {@link openVariantPages}, {@link callCpu}
 */
export async function measureOverhead({ context, origins, runs, sizes, only, log }) {
  const pages = await openVariantPages(context, origins);
  /** The latest call's CPU figures, shared by the two call figures of a run. */
  let lastCpu = null;
  const two = ['native', 'probe'];
  const three = ['native', 'probe', 'rtcstats'];
  const defs = [
    {
      id: 'fetch',
      title: `fetch, ${sizes.fetchCalls} sequential calls, unprotected URL`,
      unit: 'ms/call',
      names: two,
      run: (r) => chunkedLoop(pages, two, r, sizes.fetchCalls, (n) => window.bench.fetchLoop(n, '/blank', false)),
    },
    {
      id: 'fetch-protected',
      title: `fetch, ${sizes.fetchCalls} sequential calls, protected /api/v2/ URL with a bearer token`,
      unit: 'ms/call',
      names: two,
      run: (r) => chunkedLoop(pages, two, r, sizes.fetchCalls, (n) => window.bench.fetchLoop(n, '/api/v2/bench', true)),
    },
    {
      id: 'ws-echo',
      title: `WebSocket echo, ${sizes.wsMessages} messages one at a time`,
      unit: 'ms/message',
      names: two,
      run: (r) => chunkedLoop(pages, two, r, sizes.wsMessages, (n) => window.bench.wsEcho(n)),
    },
    {
      id: 'pc-setup',
      title: 'peer-connection setup (2 connections, offer/answer, until both connected)',
      unit: 'ms',
      names: three,
      run: (r) => alternating(three, r, sizes.pcSetups, (n) => pages[n].evaluate(() => window.bench.pcSetup())),
    },
    {
      id: 'page-load',
      title: 'page load to DOMContentLoaded (blank page)',
      unit: 'ms',
      names: two,
      run: (r) => alternating(two, r, sizes.pageLoads, (n) => domContentLoaded(pages[n], `${origins[n]}/blank.html`)),
      after: async () => {
        for (const n of two) await pages[n].goto(`${origins[n]}/page.html`);
      },
    },
    {
      id: 'call-cpu',
      title: `main-thread CPU of the tab during a ${sizes.callSeconds} s call (getStats polling)`,
      unit: 'ms CPU',
      names: three,
      run: async () => {
        lastCpu = await callCpu(context, pages, three, sizes.callSeconds);
        return Object.fromEntries(three.map((n) => [n, lastCpu[n].threadMs]));
      },
    },
    {
      // The same call, whole renderer process (audio and WebRTC threads included).
      id: 'call-cpu-process',
      title: `renderer process CPU during the same ${sizes.callSeconds} s call`,
      unit: 'ms CPU',
      names: three,
      run: async () => Object.fromEntries(three.map((n) => [n, lastCpu[n].processMs])),
    },
    {
      // Softphones poll getStats() themselves (for their own call-quality display): the probe
      // then summarizes the page's reports instead of asking for its own; rtcstats still polls.
      id: 'call-cpu-page-polls',
      title: `main-thread CPU of the tab during a ${sizes.pollingCallSeconds} s call in which the page polls getStats() every 1 s itself`,
      unit: 'ms CPU',
      names: three,
      run: async () => {
        const cpu = await callCpu(context, pages, three, sizes.pollingCallSeconds, 1000);
        return Object.fromEntries(three.map((n) => [n, cpu[n].threadMs]));
      },
    },
  ].filter((d) => only(d.id === 'call-cpu-process' ? 'call-cpu' : d.id));

  const perRun = Object.fromEntries(defs.map((d) => [d.id, Object.fromEntries(d.names.map((n) => [n, []]))]));
  for (let r = 0; r < runs; r++) {
    for (const d of defs) {
      const result = await d.run(r);
      if (d.after) await d.after();
      for (const n of d.names) perRun[d.id][n].push(result[n]);
      log(`  run ${r + 1}/${runs} ${d.id}: ${d.names.map((n) => `${n} ${result[n].toFixed(3)}`).join(', ')} ${d.unit}`);
    }
  }
  for (const p of Object.values(pages)) await p.close();
  return defs.map((d) => {
    const runsOf = perRun[d.id];
    return {
      id: d.id,
      title: d.title,
      unit: d.unit,
      lowerIsBetter: true,
      perRun: runsOf,
      summary: Object.fromEntries(d.names.map((n) => [n, summarize(runsOf[n])])),
      ratio: pairedRatios(runsOf.probe, runsOf.native),
      ...(runsOf.rtcstats ? { ratioRtcstats: pairedRatios(runsOf.rtcstats, runsOf.native) } : {}),
    };
  });
}
