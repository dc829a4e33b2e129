/**
 * Driving lab agents for the demo and the benchmarks: one agent per browser (with or without
 * the extension), readiness for calls, taking a call, and watching the recovery after a fault.
 * "Ready for calls" = presence Available, media ready, microphone enabled, signalling open.
 */
import { launchBrowser } from '../support/browser.mjs';

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

/** Starts one agent in its own browser and waits until the softphone is ready for calls. */
export async function startAgent(lab, { withExtension, user, headless }) {
  const { context } = await launchBrowser({ withExtension, headless });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${lab.url}/login?user=${user}&return=/`);
  const ready = await waitFor(async () => callReady(await status(page)), 20_000);
  if (!ready) {
    await context.close();
    throw new Error(`agent ${user} (${withExtension ? 'with' : 'without'} extension) never became ready`);
  }
  return { context, page, user, withExtension };
}

/** Rings the agent and answers; resolves true when the call connected with audio flowing. */
export async function takeCall(lab, agent) {
  await postJson(`${lab.url}/lab/ring`, { userId: agent.user });
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
  await postJson(`${lab.url}/lab/ring`, { userId: agent.user });
  const ringing = await waitFor(async () => (await status(agent.page))?.call?.state === 'ringing', 5000);
  if (!ringing) throw new Error(`no call rang for ${agent.user}`);
  const call = await agent.page.evaluate(() => window.labSoftphone.answer());
  return call.id;
}
