/**
 * Helpers for the Genesys Cloud vendor lab (tests/lab/README.md "Vendor labs: Genesys Cloud"):
 * the lab page running genesys-cloud-streaming-client 19.4.1 unmodified (`window.labVendor`,
 * tests/lab/vendors/genesys/page.js), the lab's XMPP back end (`GET /lab/genesys/stats`,
 * tests/lab/lib/genesys-lab.mjs) and its control calls. Times in ms since epoch unless said
 * otherwise.
 */
import { expect } from '@playwright/test';
import type { BrowserContext, Page } from '@playwright/test';
import type { Lab } from './softphone';

/** The lab page's path on the softphone site. */
export const GENESYS_PAGE_PATH = '/vendors/genesys/';
/** Host names of the Genesys lab (tests/lab/lib/genesys-lab.mjs GENESYS_HOSTS), on the lab's port. */
export const GENESYS_HOSTS = { api: 'api.genesys.test', streaming: 'streaming.genesys.test' } as const;

/**
 * Chromium flags for the Genesys lab, after the lab's TLS_BROWSER_ARGS (the last
 * `--host-resolver-rules` wins): `*.test` on loopback as the lab needs, and every Genesys Cloud
 * environment resolving to nothing, so nothing in a test can reach the real service.
 */
export const GENESYS_BROWSER_ARGS = [
  '--host-resolver-rules=MAP *.test 127.0.0.1, MAP *.mypurecloud.com ~NOTFOUND, MAP *.mypurecloud.ie ~NOTFOUND, ' +
    'MAP *.mypurecloud.de ~NOTFOUND, MAP *.mypurecloud.jp ~NOTFOUND, MAP *.mypurecloud.com.au ~NOTFOUND, ' +
    'MAP *.pure.cloud ~NOTFOUND, MAP *.us-gov-pure.cloud ~NOTFOUND, MAP *.eusc-pure.cloud ~NOTFOUND',
];

/** What the lab page records (tests/lab/vendors/genesys/page.js). */
export interface VendorState {
  vendor: 'genesys-cloud-streaming-client';
  phase: 'starting' | 'signing-in' | 'connecting' | 'connected' | 'disconnected' | 'failed';
  connected: boolean;
  connecting: boolean;
  agent: { id: string; name: string; orgId: string | null } | null;
  events: { at: number; name: string; detail: string }[];
  eventCounts: Record<string, number>;
  /** StreamingClientErrors whose cause is a SaslError, as the app received them */
  saslFailures: number;
  errors: { at: number; type: string; name: string; message: string; condition: string | null }[];
  logs: { at: number; level: string; message: string }[];
  connectedAt: number | null;
  disconnectedAt: number | null;
  connects: number;
  disconnects: number;
  /** when this document started: a reload changes it */
  loadedAt: number;
}

/** `GET /lab/genesys/stats`. */
export interface GenesysStats {
  channels: number;
  streamsOpen: number;
  streamsReady: number;
  streamsOpened: number;
  saslSuccesses: number;
  saslFailures: number;
  serverPingsSent: number;
  serverPingsAnswered: number;
  clientPings: number;
  faults: { silentRevokes: number; channelExpiries: number };
  refusals: { at: number; kind: 'rest' | 'sasl'; what: string }[];
  streamEvents: { at: number; channelId: string; event: string }[];
}

export { sleep } from './vendor-kit';

/** Seconds since `t0`, one decimal. */
export const secondsSince = (t0: number, t = Date.now()): number => Math.round((t - t0) / 100) / 10;

/** The page's record. */
export async function vendorState(page: Page): Promise<VendorState> {
  return page.evaluate(() => (window as unknown as { labVendor: VendorState }).labVendor);
}

/** The back end's counters and logs. */
export async function genesysStats(lab: Lab): Promise<GenesysStats> {
  const res = await fetch(`${lab.controlUrl}/lab/genesys/stats`);
  if (!res.ok) throw new Error(`/lab/genesys/stats → ${res.status}`);
  return (await res.json()) as GenesysStats;
}

/**
 * Opens the lab page signed in as `user` (the lab's login, then the page's own OAuth sign-in)
 * and waits until the streaming client reports itself connected. `query`: the page's own, e.g.
 * `?telemetry=off` (the client's log uploads off).
 */
export async function openGenesys(context: BrowserContext, lab: Lab, user = 'agent-1', query = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${lab.url}/login?user=${user}&return=${encodeURIComponent(GENESYS_PAGE_PATH + query)}`);
  await expect.poll(async () => (await vendorState(page).catch(() => null))?.connected ?? false, { timeout: 20_000 }).toBe(true);
  return page;
}

/**
 * Waits until the client is connected again after `since` (a `connected` event later than it).
 * @returns seconds from `since`
 */
export async function connectedAgain(page: Page, since: number, timeoutMs = 45_000): Promise<number> {
  await expect
    .poll(
      async () => {
        const s = await vendorState(page);
        return s.connected && (s.connectedAt ?? 0) > since;
      },
      { timeout: timeoutMs, intervals: [250] },
    )
    .toBe(true);
  return secondsSince(since, (await vendorState(page)).connectedAt ?? Date.now());
}

/**
 * Waits until the app got the client's SASL failure after `since`.
 * @returns that error and the seconds from `since`
 */
export async function saslFailureSeen(page: Page, since: number, timeoutMs = 30_000): Promise<{ condition: string | null; after: number }> {
  await expect
    .poll(async () => (await vendorState(page)).errors.some((e) => e.at > since && e.condition !== null), {
      timeout: timeoutMs,
      intervals: [250],
    })
    .toBe(true);
  const e = (await vendorState(page)).errors.find((x) => x.at > since && x.condition !== null);
  return { condition: e?.condition ?? null, after: secondsSince(since, e?.at ?? Date.now()) };
}

/** The back end's refusals after `since`, in order, as "what (+s)"; "none" when there was none. */
export async function refusalsSince(lab: Lab, since: number): Promise<string> {
  const list = (await genesysStats(lab)).refusals.filter((x) => x.at >= since);
  return list.length ? list.map((r) => `${r.what} (+${secondsSince(since, r.at)} s)`).join(', ') : 'none';
}
