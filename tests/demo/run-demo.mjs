/**
 * The main job: each lab fault (tests/demo/scenarios.mjs; the seed-000/001 publish storm
 * first) against two agents on the embedded softphone lab, one browser without Softphone
 * Guard and one with it, side by side; then the Genesys Cloud publish storm on its vendor lab
 * (tests/demo/vendors.mjs).
 *
 *   npm run demo            (builds dist/ first)
 *   node tests/demo/run-demo.mjs [--scenario a,b] [--profile P] [--out DIR] [--deadline-s 45] [--headed]
 *
 * `--profile genesys-cloud|twilio-flex|amazon-connect` runs only that vendor's scenarios: the
 * vendor's own published client on its vendor lab (tests/lab/README.md "Vendor labs"), the
 * browser with the extension configured with that profile; its table says whether the vendor's
 * client is connected again, how long it took, the refused authentications that reached the
 * app and the page reloads, and the popup screenshot and events are written as below (no
 * diagnostics page or bundle). `--scenario` picks by name among the lab's and the vendor
 * labs' scenarios (within the profile's with `--profile`).
 *
 * Prints a table per scenario (can the agent take a call again, how long it took, failures
 * the app saw, 401 on the media-token request, reloads, refresh calls) and writes into the
 * output folder, per scenario: popup-<name>.png (the extension's popup after the fault),
 * diagnostics-<name>.png (the diagnostics page of the agent's tab), bundle-<name>.json (the
 * redacted export bundle, re-checked like the events),
 * events-<name>.json (the run's stored events, already redacted by the extension, re-checked
 * here for any token the lab issued); and summary.json. Exit code 0 when every run shows what
 * the product promises, 1 otherwise.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLab } from '../lab/server.mjs';
import { extensionWorker, DIST, EXTENSION_ID, PROJECT_ROOT } from '../support/browser.mjs';
import { observeRecovery, postJson, startAgent, startCall, status, takeCall, topologyState } from './agents.mjs';
import { findChromium } from '../support/find-chromium.mjs';
import { formatTable, summarizeRun } from './report.mjs';
import { SCENARIOS } from './scenarios.mjs';
import { VENDORS, VENDOR_SCENARIOS, runVendorScenario } from './vendors.mjs';

const MEDIA_TOKEN_401 = 'GET /api/v2/communications/webRTC 401';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    'deadline-s': { type: 'string', default: '45' },
    scenario: { type: 'string' },
    profile: { type: 'string' },
    headed: { type: 'boolean', default: false },
  },
});

function fail(message) {
  console.error(`demo: ${message}`);
  process.exit(2);
}

/**
 * Runs one scenario on a fresh lab and fresh browsers; returns its two table columns. A
 * softphone framed by a CRM page or in a SharedWorker needs the lab's topologies: HTTPS on
 * `softphone.test` and `crm.test` (`tls`; its login cookies are then partitioned, out of reach of
 * the extension's own refresh — tests/lab/README.md "Cookies in a frame"). A softphone tab of its
 * own runs on the plain lab at `http://127.0.0.1`, as it always has.
 */
async function runScenario(scenario, { headless, deadlineMs, outDir }) {
  const topology = scenario.topology ?? 'page';
  const lab = await startLab({ port: 0, tls: topology !== 'page' });
  const control = lab.controlUrl;
  const agents = [];
  try {
    const without = await startAgent(lab, { withExtension: false, user: 'agent-2', headless, topology });
    const withExt = await startAgent(lab, { withExtension: true, user: 'agent-1', headless, topology });
    agents.push(without, withExt);
    await extensionWorker(withExt.context);

    const before = {};
    for (const a of agents) {
      if (!(await takeCall(lab, a))) throw new Error(`baseline call failed for ${a.user}`);
      before[a.user] = await status(a.page);
    }
    if (scenario.callActiveAtFault) {
      for (const a of agents) a.callAtFault = await startCall(lab, a);
    }
    const statsBefore = await (await fetch(`${control}/lab/stats`)).json();
    const topologyBefore = await Promise.all(agents.map((a) => topologyState(a)));

    console.log(`\n▶ ${scenario.title}`);
    const faultAt = Date.now();
    await postJson(`${control}/lab/fault/${scenario.fault}`, scenario.params);
    const scenarioDeadlineMs = (scenario.deadlineS ?? deadlineMs / 1000) * 1000;
    const results = await Promise.all(agents.map((a) => observeRecovery(lab, a, faultAt, scenarioDeadlineMs)));
    const statsAfter = await (await fetch(`${control}/lab/stats`)).json();
    const topologyAfter = await Promise.all(agents.map((a) => topologyState(a)));

    const rows = agents.map((a, i) =>
      summarizeRun({
        label: a.withExtension ? 'with extension' : 'without extension',
        before: before[a.user],
        after: results[i].final,
        readyAfterMs: results[i].readyAfterMs,
        tookCall: results[i].tookCall,
        callAtFault: results[i].callAtFault,
        deadlineMs: scenarioDeadlineMs,
        refreshCalls: (statsAfter.refreshCallsByUser?.[a.user] ?? 0) - (statsBefore.refreshCallsByUser?.[a.user] ?? 0),
        mediaToken401Key: MEDIA_TOKEN_401,
        topologyBefore: topologyBefore[i],
        topologyAfter: topologyAfter[i],
      }),
    );

    // Popup screenshot and the run's events, from the extension itself.
    const popup = await withExt.context.newPage();
    await popup.setViewportSize({ width: 420, height: 760 });
    await popup.goto(`chrome-extension://${EXTENSION_ID}/extension/popup/index.html`);
    await popup.waitForTimeout(1500);
    await popup.screenshot({ path: join(outDir, `popup-${scenario.name}.png`), fullPage: true });
    const events = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-events', limit: 10000 }));
    const eventsJson = JSON.stringify(events, null, 2);
    writeFileSync(join(outDir, `events-${scenario.name}.json`), eventsJson);
    // The diagnostics page of the agent's tab, and the redacted bundle support would attach to a ticket.
    const state = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
    const tabId = state.sessions.find((s) => s.alive && s.agent?.userId === withExt.user)?.tabId;
    const diagnostics = await withExt.context.newPage();
    await diagnostics.setViewportSize({ width: 1280, height: 1000 });
    await diagnostics.goto(
      `chrome-extension://${EXTENSION_ID}/extension/diagnostics/index.html${tabId === undefined ? '' : `?tab=${tabId}`}`,
    );
    await diagnostics.waitForTimeout(2500);
    await diagnostics.screenshot({ path: join(outDir, `diagnostics-${scenario.name}.png`), fullPage: true });
    await diagnostics.close();
    const bundle = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-export', format: 'bundle' }));
    writeFileSync(join(outDir, `bundle-${scenario.name}.json`), bundle.text);
    const issued = await (await fetch(`${control}/lab/issued-secrets`)).json();
    const leaked = issued.secrets.filter((secret) => secret && (eventsJson.includes(secret) || bundle.text.includes(secret))).length;

    console.log(formatTable(rows));
    const ok = scenario.expect(rows[0], rows[1]) && leaked === 0;
    console.log(`secrets from the lab in the stored events and the export bundle: ${leaked}`);
    if (scenario.note) console.log(scenario.note);
    if (ok) console.log(`✔ ${scenario.promise}`);
    else if (scenario.knownGap && leaked === 0) console.log(`✘ not shown yet: ${scenario.promise}\n  known gap: ${scenario.knownGap}`);
    else console.log(`✘ NOT shown: ${scenario.promise}`);
    return { scenario: scenario.name, rows, leakedSecrets: leaked, ok, knownGap: !ok && leaked === 0 ? scenario.knownGap : undefined };
  } finally {
    for (const a of agents) await a.context.close().catch(() => undefined);
    await lab.close();
  }
}

/** Plain `npm run demo`: the lab scenarios, then the Genesys Cloud publish storm on its vendor lab. */
const DEFAULT_SCENARIOS = [...SCENARIOS, ...VENDOR_SCENARIOS.filter((s) => s.name === 'genesys-publish-storm')];

/**
 * The scenarios to run: `--profile` that vendor's scenarios, `--scenario` by name (the lab's
 * and the vendor labs'; within the profile's when both are given), else {@link DEFAULT_SCENARIOS}.
 */
function pickScenarios(names, profile) {
  let pool = [...SCENARIOS, ...VENDOR_SCENARIOS];
  if (profile !== undefined) {
    if (!VENDORS[profile]) throw new Error(`unknown profile "${profile}"; known: ${Object.keys(VENDORS).join(', ')}`);
    pool = VENDOR_SCENARIOS.filter((s) => s.vendor === profile);
    if (!names) return pool;
  }
  if (!names) return DEFAULT_SCENARIOS;
  return names.split(',').map((n) => {
    const s = pool.find((x) => x.name === n.trim());
    if (!s) throw new Error(`unknown scenario "${n}"; known: ${pool.map((x) => x.name).join(', ')}`);
    return s;
  });
}

async function main() {
  try {
    findChromium();
  } catch (e) {
    fail(e.message);
  }
  if (!existsSync(join(DIST, 'manifest.json'))) fail('dist/ is missing: run `npm run demo` (it builds first) or `npm run build`.');
  const headless = args.headed ? false : !process.env.DISPLAY || Boolean(process.env.CI);
  const deadlineMs = Number(args['deadline-s']) * 1000;
  const outDir = resolve(args.out ?? join(PROJECT_ROOT, 'demo-output', new Date().toISOString().replace(/[:.]/g, '-')));
  mkdirSync(outDir, { recursive: true });

  let scenarios;
  try {
    scenarios = pickScenarios(args.scenario, args.profile);
  } catch (e) {
    fail(e.message);
  }
  const results = [];
  const started = Date.now();
  for (const scenario of scenarios) {
    results.push(
      scenario.vendor
        ? await runVendorScenario(scenario, { headless, outDir })
        : await runScenario(scenario, { headless, deadlineMs, outDir }),
    );
  }
  writeFileSync(join(outDir, 'summary.json'), JSON.stringify({ results }, null, 2));
  const failed = results.filter((r) => !r.ok && !r.knownGap).map((r) => r.scenario);
  const gaps = results.filter((r) => r.knownGap).map((r) => r.scenario);
  console.log('');
  console.log(`Ran ${results.length} scenarios in ${((Date.now() - started) / 60_000).toFixed(1)} min.`);
  console.log(`Output: ${outDir} (popup-/diagnostics-<scenario>.png, events-/bundle-<scenario>.json, summary.json)`);
  const gapNote = gaps.length > 0 ? ` Known gaps, not yet kept: ${gaps.join(', ')}.` : '';
  console.log(
    failed.length === 0
      ? `RESULT: ${results.length - gaps.length} of ${results.length} scenarios show what the product promises.${gapNote}`
      : `RESULT: not shown for ${failed.join(', ')} (see tables).${gapNote}`,
  );
  process.exitCode = failed.length === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
