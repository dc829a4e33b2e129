/**
 * Helpers for the Amazon Connect vendor lab (tests/lab/README.md "Vendor labs: Amazon Connect"):
 * the lab CCP running amazon-connect-streams 2.28.2 unmodified in the page and its SharedWorker
 * (`window.labVendor`), the lab's CTI back end (`GET /lab/amazon/state`). Times in ms since epoch
 * unless said otherwise.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { labVendorState, sleep, stateHolds, waitUntil } from './vendor-kit';
import type { Lab } from './softphone';
import { labPost } from './softphone';

/** The lab CCP's path on the softphone site. */
export const AMAZON_PAGE_PATH = '/vendors/amazon/';

/** What the lab CCP logs (tests/lab/vendors/amazon/ccp.js). */
export interface AmazonVendorState {
  vendor: 'amazon-connect';
  streamsVersion: string | null;
  /** CCP starts in this tab (sessionStorage): 2 after one reload */
  loads: number;
  signedIn: boolean | null;
  initialized: boolean;
  agent: { state: string; type: string; contacts: number; at: number } | null;
  snapshots: number;
  socket: {
    open: boolean;
    gains: number;
    losts: number;
    opens: number;
    closes: number;
    initFailures: number;
    lastClose: { code: number; reason: string } | null;
  };
  /** API results the worker reported, per method, per HTTP status */
  api: Record<string, Record<string, number>>;
  events: { at: number; name: string; [k: string]: unknown }[];
  errors: { at: number; name: string; message: string }[];
}

/** `GET /lab/amazon/state` (tests/lab/lib/amazon-cti.mjs `snapshot`, amazon-lab.mjs counts). */
export interface AmazonLabState {
  sockets: { id: number; userId: string; openedAt: number; stalled: boolean; heartbeats: number }[];
  heldPolls: number;
  agents: Record<string, { state: string; version: number }>;
  api: Record<string, Record<string, number>>;
  log: { at: number; op: string; status: number; user?: string }[];
  counts: {
    transportsCreated: number;
    socketsOpened: number;
    socketsClosed: number;
    upgradesRefused: number;
    heartbeatsAnswered: number;
    subscribes: number;
    pollsHeld: number;
    pollsDropped: number;
    pageLoads: number;
    workerLoads: number;
  };
}

export { secs, sleep, waitUntil } from './vendor-kit';

/** The page's `window.labVendor`, or null while it navigates or before the CCP ran. */
export const amazonState = (page: Page): Promise<AmazonVendorState | null> => labVendorState<AmazonVendorState>(page, 'amazon-connect');

export async function amazonLabState(lab: Lab): Promise<AmazonLabState> {
  const res = await fetch(`${lab.controlUrl}/lab/amazon/state`);
  if (!res.ok) throw new Error(`/lab/amazon/state → ${res.status}`);
  return (await res.json()) as AmazonLabState;
}

/** Whether the page's state satisfies `f` now. */
export const pageHolds = (page: Page, f: (s: AmazonVendorState) => boolean): (() => Promise<boolean>) =>
  stateHolds(() => amazonState(page), f);

/** The CCP is up: the worker acknowledged, an agent snapshot arrived, the transport socket is open. */
export const ccpReady = (s: AmazonVendorState): boolean => s.initialized && s.agent !== null && s.socket.open;

/**
 * Signs `user` in and opens the lab CCP; waits until it is ready.
 * @returns the page and the ms from navigation to ready
 */
export async function openCcp(context: BrowserContext, lab: Lab, user = 'agent-1'): Promise<{ page: Page; readyMs: number }> {
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(`${lab.origins.softphone}/login?user=${user}&return=${encodeURIComponent(AMAZON_PAGE_PATH)}`);
  const readyMs = await waitUntil(pageHolds(page, ccpReady), 20_000, t0);
  if (readyMs === null) throw new Error(`the CCP did not get ready: ${JSON.stringify(await amazonState(page))}`);
  return { page, readyMs };
}

/**
 * Waits for the page to log `name` (an event or an error, e.g. `socket-init-failure`) at or after `since`.
 * @returns ms from `since` to it, or null when it was not logged within `timeoutMs`
 */
export async function loggedAfter(page: Page, name: string, since: number, timeoutMs: number): Promise<number | null> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const e = (await amazonState(page))?.events.find((x) => x.name === name && x.at >= since);
    if (e) return e.at - since;
    await sleep(100);
  }
  return null;
}

/** The first lab API log entry at or after `since` matching `f`, or undefined. */
export async function firstCall(
  lab: Lab,
  since: number,
  f: (e: AmazonLabState['log'][number]) => boolean,
): Promise<AmazonLabState['log'][number] | undefined> {
  return (await amazonLabState(lab)).log.find((e) => e.at >= since && f(e));
}

/** Injects a lab fault. @returns the time it was injected and the lab's answer */
export async function injectFault(lab: Lab, name: string, body: object = {}): Promise<{ at: number; answer: Record<string, unknown> }> {
  const at = Date.now();
  const answer = (await labPost(lab, `/lab/fault/${name}`, body)) as Record<string, unknown>;
  return { at, answer };
}
