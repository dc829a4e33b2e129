/**
 * Helpers for the Twilio Voice vendor lab (tests/lab/README.md "Vendor labs: Twilio Voice"): the
 * lab page running @twilio/voice-sdk 2.18.5 unmodified (`window.labVendor`,
 * `window.labVendorApi`), the lab's PStream back end (`GET /lab/twilio/state`) and its control
 * calls. Times in ms since epoch unless said otherwise.
 */
import type { BrowserContext, Page, Worker } from '@playwright/test';
import { labVendorState, sleep, stateHolds, waitUntil } from './vendor-kit';
import type { StateResponse } from '../../../src/protocol/ui';
import type { Lab } from './softphone';
import { labPost } from './softphone';

/**
 * Chromium flags for the Twilio lab, after the lab's TLS_BROWSER_ARGS (the last
 * `--host-resolver-rules` wins, measured): `*.test` on loopback as the lab needs, and every
 * Twilio host resolving to nothing, so the SDK can never reach a Twilio service from a test
 * (its Insights publisher turns to `eventgw.twilio.com` after `connected`: lib/twilio/device.ts).
 */
export const TWILIO_BROWSER_ARGS = [
  '--host-resolver-rules=MAP *.test 127.0.0.1, MAP *.twilio.com ~NOTFOUND, MAP *.twiliocdn.com ~NOTFOUND',
];

/** The lab page's path on the softphone site. */
export const TWILIO_PAGE_PATH = '/vendors/twilio/';

/** What the lab page logs (tests/lab/vendors/twilio/app.js). */
export interface VendorState {
  vendor: 'twilio';
  sdkVersion: string;
  /** app starts in this tab (sessionStorage): 2 after one reload */
  loads: number;
  registered: boolean;
  deviceState: string;
  deviceReady?: boolean;
  events: { at: number; name: string; code?: number }[];
  errors: { at: number; code: number; signalingCode?: number; name: string; message: string; callSid: string | null }[];
  call: {
    direction: 'incoming' | 'outgoing';
    sid: string | null;
    status: string;
    accepted: boolean;
    ended: boolean;
    packetsReceived: number;
    bytesReceived: number;
    /** the SDK's own `sample` totals: RTP packets its peer connection sent */
    packetsSent: number;
    bytesSent: number;
  } | null;
  tokenFetches: number;
  tokenUpdates: number;
  fenced: Record<string, number>;
  farEnd?: { connected: boolean; calls: Record<string, { ice: string; packetsReceived: number; ended: boolean }> };
}

/** `GET /lab/twilio/state` (tests/lab/lib/twilio-pstream.mjs `snapshot`, twilio-lab.mjs counts). */
export interface TwilioLabState {
  sockets: { id: number; identity: string | null; authenticated: boolean; registered: boolean; stalled: boolean; openedAt: number }[];
  calls: { callSid: string; direction: string; state: string; socket: number }[];
  farEnd: boolean;
  log: { at: number; socket: number; dir: 'in' | 'out' | 'lab'; type: string; code?: number; callSid?: string }[];
  counts: {
    socketsOpened: number;
    socketsClosed: number;
    listen: number;
    listenRefused: number;
    register: number;
    registerRefused: number;
    invite: number;
    inviteRefused: number;
    heartbeatsSent: number;
    errorsSent: Record<string, number>;
    tokenRequests: number;
    insightsPosts: number;
    insightsRefused: number;
    pageLoads: number;
  };
}

export { secs, sleep, waitUntil } from './vendor-kit';

/** The page's `window.labVendor`, or null while it navigates or before the app ran. */
export const vendorState = (page: Page): Promise<VendorState | null> => labVendorState<VendorState>(page, 'twilio');

export async function twilioState(lab: Lab): Promise<TwilioLabState> {
  const res = await fetch(`${lab.controlUrl}/lab/twilio/state`);
  if (!res.ok) throw new Error(`/lab/twilio/state → ${res.status}`);
  return (await res.json()) as TwilioLabState;
}

/** Whether the page's state satisfies `f` now. */
export const pageHolds = (page: Page, f: (s: VendorState) => boolean): (() => Promise<boolean>) => stateHolds(() => vendorState(page), f);

/**
 * Opens the lab page as `identity` and waits until the SDK reports itself registered.
 * @returns the page and the ms from navigation to `registered`
 */
export async function openTwilio(context: BrowserContext, lab: Lab, identity = 'agent-1'): Promise<{ page: Page; registeredMs: number }> {
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(`${lab.origins.softphone}${TWILIO_PAGE_PATH}?identity=${identity}&autoAnswer=1`);
  const registeredMs = await waitUntil(
    pageHolds(page, (s) => s.registered),
    20_000,
    t0,
  );
  if (registeredMs === null) throw new Error(`the SDK did not register: ${JSON.stringify(await vendorState(page))}`);
  await waitUntil(
    pageHolds(page, (s) => s.farEnd?.connected === true),
    5_000,
  );
  return { page, registeredMs };
}

/**
 * Waits for the page to log the SDK event `name` (e.g. `device.unregistered`) at or after `since`;
 * the log keeps events too short-lived for polling (unregistered for a few ms during a reconnect).
 * @returns ms from `since` to the event, or null when it was not logged within `timeoutMs`
 */
export async function eventAfter(page: Page, name: string, since: number, timeoutMs: number): Promise<number | null> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const e = (await vendorState(page))?.events.find((x) => x.name === name && x.at >= since);
    if (e) return e.at - since;
    await sleep(100);
  }
  return null;
}

/** A call whose audio flows: accepted and the SDK counted more than 10 packets received (its own `sample` stats). */
export const talking = (s: VendorState): boolean => Boolean(s.call && s.call.accepted && !s.call.ended && s.call.packetsReceived > 10);

/** Places an outgoing call to the far end. @returns ms until audio flows, null if it did not within 20 s */
export async function dialAndTalk(page: Page): Promise<number | null> {
  const t0 = Date.now();
  await page.evaluate(() => (window as unknown as { labVendorApi: { dial(): Promise<unknown> } }).labVendorApi.dial());
  return waitUntil(pageHolds(page, talking), 20_000, t0);
}

/** The far end rings the agent (the page answers: `autoAnswer=1`). @returns ms until audio flows, null if not within 20 s */
export async function ringAndTalk(lab: Lab, page: Page, identity = 'agent-1'): Promise<number | null> {
  const t0 = Date.now();
  await labPost(lab, '/lab/twilio/ring', { identity });
  return waitUntil(
    pageHolds(page, (s) => talking(s) && s.call?.direction === 'incoming'),
    20_000,
    t0,
  );
}

/** The agent hangs up in the page. */
export async function hangUp(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as { labVendorApi: { hangup(): void } }).labVendorApi.hangup());
  await waitUntil(
    pageHolds(page, (s) => s.call === null || s.call.ended),
    5_000,
  );
}

/** Injects a lab fault. @returns the time it was injected and the lab's answer */
export async function injectFault(lab: Lab, name: string, body: object = {}): Promise<{ at: number; answer: Record<string, unknown> }> {
  const at = Date.now();
  const answer = (await labPost(lab, `/lab/fault/${name}`, body)) as Record<string, unknown>;
  return { at, answer };
}

/** The first lab log entry at or after `since` matching `f`, or undefined. */
export async function firstLogged(
  lab: Lab,
  since: number,
  f: (e: TwilioLabState['log'][number]) => boolean,
): Promise<TwilioLabState['log'][number] | undefined> {
  return (await twilioState(lab)).log.find((e) => e.at >= since && f(e));
}

/** The lab page's origin as the browser's site settings name it (`https://softphone.test`). */
export const twilioOrigin = (lab: Lab): string => lab.origins.softphone;

/**
 * The microphone content setting of `origin`, read or (with `setting`) written through
 * `chrome.contentSettings` in the extension's worker: what a person or IT does in the browser's
 * site settings (tests/e2e/media-recovery.spec.ts makes the lab softphone lose its microphone the
 * same way; Chromium then fires `PermissionStatus` `change` and ends every live capture track).
 */
export async function micSetting(worker: Worker, origin: string, setting?: 'allow' | 'block'): Promise<string> {
  return worker.evaluate(
    async ([o, value]) => {
      const microphone = chrome.contentSettings.microphone;
      if (value) await microphone.set({ primaryPattern: `${o}/*`, setting: value });
      return (await microphone.get({ primaryUrl: `${o}/` })).setting;
    },
    [origin, setting] as const,
  );
}

/**
 * The agent's outgoing audio as the far end receives it: RTP packets the far end's peer
 * connection got on the call in progress (its own `getStats` inbound-rtp, polled every 500 ms).
 */
export const heardByFarEnd = (s: VendorState | null): number => {
  const sid = s?.call?.sid;
  return (sid && s?.farEnd?.calls[sid]?.packetsReceived) || 0;
};

/** One sample of {@link heardByFarEnd}. */
export interface HeardSample {
  at: number;
  heard: number;
}

/** Samples {@link heardByFarEnd} every 250 ms until `until` (epoch ms). */
export async function traceHeard(page: Page, until: number): Promise<HeardSample[]> {
  const trace: HeardSample[] = [];
  do {
    trace.push({ at: Date.now(), heard: heardByFarEnd(await vendorState(page)) });
    await sleep(250);
  } while (Date.now() < until);
  return trace;
}

/**
 * The longest stretch of `trace` in which the far end got no packet more: from the last sample
 * that saw growth (or the first sample) to the next growth (or the last sample), ms. The far end
 * reads its stats every 500 ms, so audio that flows shows stretches of up to about 750 ms.
 */
export function longestSilence(trace: HeardSample[]): { from: number; ms: number; untilEnd: boolean } {
  let best = { from: trace[0]?.at ?? 0, ms: 0, untilEnd: false };
  let start = trace[0];
  for (let i = 1; i < trace.length; i++) {
    const cur = trace[i]!;
    const grew = cur.heard > trace[i - 1]!.heard;
    const end = i === trace.length - 1;
    if (grew || end) {
      const ms = cur.at - start!.at;
      if (ms > best.ms) best = { from: start!.at, ms, untilEnd: !grew && end };
      if (grew) start = cur;
    }
  }
  return best;
}

/** Whether the far end got more than 20 packets (0.4 s of audio) in the last `ms` of `trace`. */
export function flowingAtEnd(trace: HeardSample[], ms = 3_000): boolean {
  const last = trace[trace.length - 1];
  const before = [...trace].reverse().find((x) => last && x.at <= last.at - ms);
  return Boolean(last && before && last.heard - before.heard > 20);
}

/** An incident of the extension's state (`get-state`, as the popup reads it) with its steps. */
export type IncidentView = StateResponse['sessions'][number]['incidents'][number];

/**
 * The first incident of `kind` opened at or after `since` in any session, as the popup reads it
 * from the worker (`extensionPage`: a page of the extension, e.g. the popup), or undefined.
 */
export async function incidentSince(extensionPage: Page, kind: string, since: number): Promise<IncidentView | undefined> {
  const state: StateResponse = await extensionPage.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
  return state.sessions.flatMap((s) => s.incidents).find((i) => i.kind === kind && i.openedAt >= since);
}

/**
 * Waits until the extension's registered content scripts do (`watched`) or do not match the
 * Twilio lab page, after a configuration change (the worker re-registers them asynchronously:
 * extension/background/content-scripts.ts). @returns whether they did within `timeoutMs`
 */
export async function watchesTwilioPage(worker: Worker, watched: boolean, timeoutMs = 10_000): Promise<boolean> {
  return worker.evaluate(
    async ([want, path, waitMs]) => {
      const end = Date.now() + waitMs;
      for (;;) {
        const scripts = await chrome.scripting.getRegisteredContentScripts();
        const matches = scripts.some((x) => x.id === 'sg-relay' && (x.matches ?? []).some((m) => m.includes(path)));
        if (matches === want) return true;
        if (Date.now() > end) return false;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    [watched, TWILIO_PAGE_PATH, timeoutMs] as const,
  );
}
