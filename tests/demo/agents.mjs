/**
 * Driving lab agents for the demo and the benchmarks: one agent per browser (with or without
 * the extension), readiness for calls, taking a call, and watching the recovery after a fault.
 * "Ready for calls" = presence Available, media ready, microphone enabled, signalling open.
 *
 * An agent's softphone runs in one of the lab's topologies (tests/lab/README.md "Topologies";
 * `embedded` and `shared-worker` need a lab started with `tls`): `page` a softphone tab (the
 * default), `embedded` the softphone framed by a CRM page on another site (with unsaved case
 * notes), `shared-worker` the SharedWorker softphone in two tabs sharing one worker.
 * `agent.page` is where the softphone's test hook is (the CRM page's frame for `embedded`, the
 * first tab for `shared-worker`).
 */
import { EXTENSION_ID, launchBrowser, extensionWorker } from '../support/browser.mjs';
import { TLS_BROWSER_ARGS } from '../lab/server.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` every `everyMs` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor(fn, timeoutMs, everyMs = 200) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) return null;
    await sleep(everyMs);
  }
}

export const status = (page) => page.evaluate(() => window.labSoftphone?.status() ?? null);
export const callReady = (s) => s && s.presence === 'Available' && s.mediaReady && s.micEnabled && s.signalling === 'open';

export async function postJson(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.json();
}

/** What the agent types into the CRM page and loses if that page is reloaded. */
export const CASE_NOTES = 'Customer called twice, router model RX-200; promised a callback before 5 pm.';
const MARKER = 'the document from before the fault';

/**
 * Names the lab's softphone pages the way a user does: the shipped configuration monitors the
 * vendors' hosts only, so the agent opens the extension's options page, adds `pattern` as a
 * line of "Softphone pages" and saves. Then waits until the worker has registered the page
 * probe and relay for it, so that pages opened next are monitored.
 */
async function addSoftphonePages(context, pattern) {
  const options = await context.newPage();
  await options.goto(`chrome-extension://${EXTENSION_ID}/extension/options/index.html`);
  const field = options.getByLabel('Softphone pages', { exact: true });
  // The page fills its fields once the worker answers.
  const shown = await waitFor(async () => (await field.inputValue()) || null, 10_000, 100);
  if (!shown) throw new Error('the options page showed no softphone pages');
  if (!shown.split('\n').includes(pattern)) await field.fill(`${shown}\n${pattern}`);
  await options.getByRole('button', { name: 'Save', exact: true }).click();
  const saved = await waitFor(async () => (await options.locator('.savebar [role="status"]').textContent()) === 'Saved.', 10_000, 100);
  await options.close();
  if (!saved) throw new Error(`the options page did not save ${pattern}`);
  const worker = await extensionWorker(context);
  const registered = await waitFor(
    async () =>
      (await worker.evaluate(() => chrome.scripting.getRegisteredContentScripts())).filter((s) => (s.matches ?? []).includes(pattern))
        .length === 2,
    10_000,
    100,
  );
  if (!registered) throw new Error(`the page probe was not registered for ${pattern}`);
}

/**
 * Starts one agent in its own browser and waits until the softphone is ready for calls.
 * @param {{ withExtension: boolean, user: string, headless: boolean, topology?: 'page' | 'embedded' | 'shared-worker',
 *   origin?: string }} opts `origin`: where a `page` softphone is opened (default `lab.url`)
 */
export async function startAgent(lab, { withExtension, user, headless, topology = 'page', origin = lab.url }) {
  const { context } = await launchBrowser({ withExtension, headless, args: lab.tls ? [...TLS_BROWSER_ARGS] : [] });
  const agent = { context, page: null, pages: [], crm: null, user, withExtension, topology };
  try {
    if (withExtension) {
      const softphone = new URL(topology === 'page' ? origin : lab.origins.softphone);
      await addSoftphonePages(context, `${softphone.protocol}//${softphone.hostname}/*`);
    }
    const first = context.pages()[0] ?? (await context.newPage());
    if (topology === 'embedded') {
      await first.goto(`${lab.origins.crm}/crm?user=${user}`);
      agent.crm = first;
      agent.page = await (await first.locator('iframe#softphone').elementHandle())?.contentFrame();
      agent.pages = [agent.page];
    } else if (topology === 'shared-worker') {
      await first.goto(`${lab.origins.softphone}/login?user=${user}&return=${encodeURIComponent('/?transport=shared-worker')}`);
      if (!(await waitFor(async () => callReady(await status(first)), 20_000))) throw new Error('the first tab never became ready');
      const second = await context.newPage();
      await second.goto(`${lab.origins.softphone}/?transport=shared-worker`);
      agent.page = first;
      agent.pages = [first, second];
    } else {
      await first.goto(`${origin}/login?user=${user}&return=/`);
      agent.page = first;
      agent.pages = [first];
    }
    for (const p of agent.pages) {
      if (!p || !(await waitFor(async () => callReady(await status(p)), 20_000))) throw new Error('the softphone never became ready');
    }
    if (agent.crm) await agent.crm.locator('#case-notes').fill(CASE_NOTES);
    for (const p of [...agent.pages, ...(agent.crm ? [agent.crm] : [])]) await p.evaluate((m) => (window.sgDemoMarker = m), MARKER);
  } catch (error) {
    await context.close();
    throw new Error(`agent ${user} (${withExtension ? 'with' : 'without'} extension) never became ready: ${error.message}`, {
      cause: error,
    });
  }
  return agent;
}

/**
 * What the agent's other documents went through, for the table: `embedded` whether the CRM
 * page is the same document with its notes, `shared-worker` each tab's app starts and the worker
 * instance. Null for a `page` softphone.
 */
export async function topologyState(agent) {
  if (agent.topology === 'embedded') {
    const kept = await agent.crm
      .evaluate((m) => window.sgDemoMarker === m && document.getElementById('case-notes')?.value, MARKER)
      .catch(() => false);
    return { crmKept: kept === CASE_NOTES };
  }
  if (agent.topology === 'shared-worker') {
    const all = await Promise.all(agent.pages.map((p) => status(p).catch(() => null)));
    return { loadCounts: all.map((s) => s?.loadCount ?? null), workerIds: all.map((s) => s?.worker?.id ?? null) };
  }
  return null;
}

/** Rings the agent and answers; resolves true when the call connected with audio flowing. */
export async function takeCall(lab, agent) {
  await postJson(`${lab.controlUrl ?? lab.url}/lab/ring`, { userId: agent.user });
  const ringing = await waitFor(async () => (await status(agent.page))?.call?.state === 'ringing', 5000);
  if (!ringing) return false;
  try {
    await agent.page.evaluate(() => window.labSoftphone.answer());
  } catch {
    return false;
  }
  const connected = await waitFor(async () => {
    const s = await status(agent.page);
    return s?.call?.state === 'connected' && s.call.inboundAudioBytes > 0;
  }, 15_000);
  await agent.page.evaluate(() => window.labSoftphone.hangup()).catch(() => undefined);
  return Boolean(connected);
}

/** When a call in progress at the fault is looked at, ms after the fault. */
export const CALL_CHECK_AFTER_MS = 5000;

/**
 * What became of the call in progress at the fault, looked at {@link CALL_CHECK_AFTER_MS}
 * after it: still connected with audio growing over 1.5 s, connected but silent, or ended.
 */
export async function checkCallAtFault(agent, faultAt) {
  await sleep(Math.max(0, faultAt + CALL_CHECK_AFTER_MS - Date.now()));
  const s = await status(agent.page);
  if (s?.call?.id !== agent.callAtFault) return 'ended';
  if (s.call.state !== 'connected') return `ended (${s.call.endReason ?? s.call.state})`;
  const bytes = s.call.inboundAudioBytes;
  await sleep(1500);
  const later = await status(agent.page);
  return later?.call?.state === 'connected' && later.call.inboundAudioBytes > bytes ? 'went on, audio flowing' : 'up, but no audio';
}

/**
 * After the fault: wait until the agent could take a call, then take one; a call that fails
 * (the app gave up on it) is tried again until the deadline, as the next customer would be.
 * A call in progress at the fault is looked at first (`checkCallAtFault`) and, if still up,
 * hung up, as the agent would at the end of it.
 * @param pollMs how often readiness is looked at, ms (the resolution of `readyAfterMs`)
 */
export async function observeRecovery(lab, agent, faultAt, deadlineMs, pollMs = 250) {
  const end = faultAt + deadlineMs;
  let readyAfterMs = null;
  let tookCall = false;
  const callCheck = agent.callAtFault ? checkCallAtFault(agent, faultAt) : Promise.resolve('—');
  while (Date.now() < end && !tookCall) {
    const ready = await waitFor(async () => callReady(await status(agent.page)), end - Date.now(), pollMs);
    if (!ready) break;
    readyAfterMs = Date.now() - faultAt;
    await callCheck;
    const s = await status(agent.page);
    if (s?.call?.id === agent.callAtFault && s?.call?.state === 'connected') {
      await agent.page.evaluate(() => window.labSoftphone.hangup()).catch(() => undefined);
    }
    tookCall = await takeCall(lab, agent);
    if (!tookCall) {
      readyAfterMs = null;
      await sleep(1000);
    }
  }
  return { readyAfterMs, tookCall, callAtFault: await callCheck, final: await status(agent.page) };
}

/** Rings the agent and answers, leaving the call up; resolves with the call id. */
export async function startCall(lab, agent) {
  await postJson(`${lab.controlUrl ?? lab.url}/lab/ring`, { userId: agent.user });
  const ringing = await waitFor(async () => (await status(agent.page))?.call?.state === 'ringing', 5000);
  if (!ringing) throw new Error(`no call rang for ${agent.user}`);
  const call = await agent.page.evaluate(() => window.labSoftphone.answer());
  return call.id;
}
