/**
 * The Amazon Connect vendor lab (tests/lab/README.md "Vendor labs: Amazon Connect"): Amazon's own
 * published client, amazon-connect-streams 2.28.2 (release/connect-streams.js, unmodified), in a
 * lab CCP page and in the CCP's SharedWorker (`connect.worker.main`), against the lab's
 * `/auth/authorize`, CTI API and transport socket. Each test prints one line of figures:
 * `[vendor-amazon] <scenario>: …`.
 *
 * Without the extension, what the worker does by itself (release/connect-streams.js; src/worker.js,
 * src/client.js, src/core.js and src/lib/amazon-connect-websocket-manager.js at commit
 * cc9c58756ce8be45c2d88d07bc604eb2b1955fa1):
 * - a publish storm (tokens revoked, sockets dropped 1006): the websocket manager asks for a new
 *   transport (CreateTransport) with the revoked token, gets 401, and terminates for good
 *   (`webSocket::init_failure`); the snapshot long poll is refused with 401 every 5 s until
 *   MAX_UNAUTHORIZED_RETRY_COUNT (20) is spent, then stops (`cti_authorize_retries_exhausted`).
 *   The page's own `/auth/authorize` after AUTH_FAIL succeeds, but its token never reaches the
 *   worker: only the worker's checkAuthToken (every 5 min, 30 min before expiry) would replace it;
 * - a silent revoke (`token-revoke`): the socket stays up; the first sign is a 401 on the next
 *   snapshot poll (a held poll answers within 30 s) or configuration poll (every 30 s);
 * - a silent stall: the client's own 10 s `aws/heartbeat` gets no answer and it opens a new
 *   transport with its still valid token.
 *
 * With the extension, configured as a customer would (profile `amazon-connect`, plus the lab's
 * host where an instance domain would be): the worker's 401s are out of the page probe's reach,
 * so the rung is a safe reload of the CCP when no call is active, and the popup says why.
 */
import { test, expect } from './support/fixture';
import type { TestInfo } from '@playwright/test';
import type { AmazonVendorState } from './support/vendor-amazon';
import {
  amazonLabState,
  amazonState,
  ccpReady,
  firstCall,
  injectFault,
  loggedAfter,
  openCcp,
  pageHolds,
  secs,
  sleep,
  waitUntil,
} from './support/vendor-amazon';
import { popupText } from './support/topologies';
import { openPopup } from './support/softphone';

/**
 * How a customer configures the extension for Amazon Connect: the profile, and — because the lab's
 * CCP is not on `*.my.connect.aws` — its page, API and token audience, as a customer whose instance
 * domain the profile does not list would add them (src/policy/profiles.ts, AMAZON_CONNECT).
 */
const AMAZON_CONNECT_USER_CONFIG = {
  profile: 'amazon-connect',
  softphoneUrlPatterns: ['https://softphone.test/vendors/amazon/*'],
  // A URL glob matches the whole URL, port included (src/match/url-glob.ts); the lab has a port.
  protectedRequestPatterns: ['https://softphone.test:*/api*'],
  tokenRefresh: { audience: ['https://softphone.test'] },
};

test.use({ labOptions: { tls: true } });

/** One line of figures, printed and attached to the report. */
function figures(testInfo: TestInfo, line: string): void {
  console.log(`[vendor-amazon] ${line}`);
  testInfo.annotations.push({ type: 'figures', description: line });
}

/** Lab API answers at or after `since` for `op` with `status`. */
async function answers(lab: Parameters<typeof amazonLabState>[0], since: number, op: string, status: number): Promise<number> {
  return (await amazonLabState(lab)).log.filter((e) => e.at >= since && e.op === op && e.status === status).length;
}

test.describe('without the extension', () => {
  test.use({ withExtension: false });

  test('the CCP starts: one SharedWorker for every CCP page, its API calls, long poll and transport socket', async ({
    context,
    lab,
  }, testInfo) => {
    const { page, readyMs } = await openCcp(context, lab);
    const s = (await amazonState(page))!;
    // release/connect-streams.js of the 2.28.2 package sets connect.version = "2.28.1".
    expect(s.streamsVersion).toBe('2.28.1');
    expect(s.agent?.state).toBe('Available');
    const l1 = await amazonLabState(lab);
    expect(l1.api.CreateTransport?.['200']).toBe(1);
    expect(l1.api.GetAgentSnapshot?.['200']).toBeGreaterThanOrEqual(1);
    expect(l1.api.GetAgentConfiguration?.['200']).toBeGreaterThanOrEqual(1);
    expect(l1.sockets).toHaveLength(1);
    expect(l1.counts.workerLoads).toBe(1);
    // The long poll: after the first snapshot the next GetAgentSnapshot is held.
    expect(await waitUntil(async () => (await amazonLabState(lab)).heldPolls === 1, 5_000), 'a held snapshot poll').not.toBeNull();
    // A second CCP tab attaches to the same SharedWorker: no second worker, socket or transport.
    const second = await context.newPage();
    const t1 = Date.now();
    await second.goto(`${lab.origins.softphone}/vendors/amazon/`);
    const secondMs = await waitUntil(
      pageHolds(second, (x) => x.initialized && x.agent !== null),
      20_000,
      t1,
    );
    expect(secondMs, 'the second tab got the agent').not.toBeNull();
    const l2 = await amazonLabState(lab);
    expect(l2.counts.workerLoads).toBe(1);
    expect(l2.sockets).toHaveLength(1);
    expect(l2.api.CreateTransport?.['200']).toBe(1);
    // The client's heartbeat: every 10 s (HEARTBEAT_INTERVAL_MS), answered.
    const hb0 = l2.sockets[0]!.heartbeats;
    await sleep(10_500);
    expect((await amazonLabState(lab)).sockets[0]!.heartbeats).toBeGreaterThan(hb0);
    figures(
      testInfo,
      `start: ready ${secs(readyMs)} after navigation; a second tab on the same worker ${secs(secondMs)}; 1 worker, 1 socket, 1 transport`,
    );
  });

  test('publish storm: a new transport is refused with the revoked token and the socket manager gives up; the polls are refused for good', async ({
    context,
    lab,
  }, testInfo) => {
    test.setTimeout(180_000);
    const { page } = await openCcp(context, lab);
    const { at, answer } = await injectFault(lab, 'publish-storm');
    expect(answer.revokedTokens).toBeGreaterThanOrEqual(1);
    const lostMs = await loggedAfter(page, 'socket-lost', at, 10_000);
    expect(lostMs, 'the worker saw its socket drop').not.toBeNull();
    const initFailureMs = await loggedAfter(page, 'socket-init-failure', at, 10_000);
    expect(initFailureMs, 'the websocket manager terminated').not.toBeNull();
    const transport = await firstCall(lab, at, (e) => e.op === 'CreateTransport');
    expect(transport?.status, 'the new transport was asked for with the revoked token').toBe(401);
    const poll401 = await waitUntil(async () => (await answers(lab, at, 'GetAgentSnapshot', 401)) >= 1, 15_000, at, 250);
    expect(poll401, 'the snapshot poll refused').not.toBeNull();
    // AWSClient counts 401s across the polling methods (unauthorizedFailCounter) up to
    // MAX_UNAUTHORIZED_RETRY_COUNT 20; the call that finds them spent reports authFailure.
    const exhaustedMs = await loggedAfter(page, 'cti-authorize-retries-exhausted', at, 130_000);
    expect(exhaustedMs, 'the polling retries ran out').not.toBeNull();
    const refusedThen = await answers(lab, at, 'GetAgentSnapshot', 401);
    await sleep(12_000);
    const l = await amazonLabState(lab);
    const s = (await amazonState(page))!;
    expect(l.sockets, 'no socket since').toHaveLength(0);
    expect(
      l.log.filter((e) => e.at >= at && e.status === 200 && e.op !== 'SendClientLogs'),
      'no API call succeeded since',
    ).toEqual([]);
    const refusedNow = await answers(lab, at, 'GetAgentSnapshot', 401);
    expect(refusedNow, 'the snapshot poll goes on, refused').toBeGreaterThan(refusedThen);
    expect(s.socket.open).toBe(false);
    const pageAuthorizeMs = await loggedAfter(page, 'authorize-success', at, 1_000);
    expect(pageAuthorizeMs, "the page's own authorize after the auth failure (its token never reaches the worker)").not.toBeNull();
    expect(s.loads).toBe(1);
    figures(
      testInfo,
      `publish-storm without: socket lost ${secs(lostMs)}, CreateTransport 401 → websocket manager terminated ${secs(initFailureMs)}, ` +
        `first snapshot 401 ${secs(poll401)}, the page's own /auth/authorize 200 ${secs(pageAuthorizeMs)} (unused), retries exhausted ${secs(exhaustedMs)} after the storm; ${refusedNow} refused polls by ` +
        `${secs(Date.now() - at)}, no socket, no call answered since`,
    );
  });

  test('silent revoke: the socket stays up, the first sign is a 401 on the next poll', async ({ context, lab }, testInfo) => {
    test.setTimeout(90_000);
    const { page } = await openCcp(context, lab);
    // Settled: the snapshot poll held, the configuration polled.
    expect(await waitUntil(async () => (await amazonLabState(lab)).heldPolls === 1, 5_000), 'a held snapshot poll').not.toBeNull();
    await sleep(1_000);
    const { at } = await injectFault(lab, 'token-revoke');
    const first401 = await waitUntil(
      async () => (await amazonLabState(lab)).log.some((e) => e.at >= at && e.status === 401),
      40_000,
      at,
      250,
    );
    expect(first401, 'a refused call').not.toBeNull();
    const first = (await amazonLabState(lab)).log.find((e) => e.at >= at && e.status === 401)!;
    const s = (await amazonState(page))!;
    expect(s.socket.closes, 'no socket closed').toBe(0);
    expect((await amazonLabState(lab)).sockets).toHaveLength(1);
    figures(testInfo, `token-revoke without: first sign ${first.op} 401 ${secs(first401)} after the revoke; the socket stayed open`);
  });

  test("silent stall: the client's own 10 s heartbeat notices and opens a new transport with its valid token", async ({
    context,
    lab,
  }, testInfo) => {
    test.setTimeout(90_000);
    const { page } = await openCcp(context, lab);
    const before = (await amazonLabState(lab)).counts.socketsOpened;
    const { at } = await injectFault(lab, 'silent-stall', { durationMs: 120_000 });
    const reopened = await waitUntil(async () => (await amazonLabState(lab)).counts.socketsOpened > before, 30_000, at, 250);
    expect(reopened, 'a new socket').not.toBeNull();
    const transport = await firstCall(lab, at, (e) => e.op === 'CreateTransport');
    expect(transport?.status).toBe(200);
    const s = (await amazonState(page))!;
    expect(ccpReady(s)).toBe(true);
    expect(s.errors.filter((e) => e.at >= at)).toEqual([]);
    figures(testInfo, `silent-stall without: a new transport and socket ${secs(reopened)} after the stall, no error`);
  });
});

test.describe('with the extension (profile amazon-connect)', () => {
  test.use({ userConfig: AMAZON_CONNECT_USER_CONFIG });

  test('publish storm with no call: the CCP reloaded once, a new worker ready with a fresh token; the popup says why', async ({
    context,
    lab,
  }, testInfo) => {
    test.setTimeout(180_000);
    const { page } = await openCcp(context, lab);
    const { at } = await injectFault(lab, 'publish-storm');
    const recoveredMs = await waitUntil(
      pageHolds(page, (s) => s.loads === 2 && ccpReady(s)),
      110_000,
      at,
      250,
    );
    const s = await amazonState(page);
    expect(
      recoveredMs,
      `reloaded once and ready again (now: loads ${s?.loads}, socket ${s?.socket.open}, agent ${s?.agent?.state})`,
    ).not.toBeNull();
    await sleep(3_000);
    expect((await amazonState(page))?.loads, 'once').toBe(2);
    const l = await amazonLabState(lab);
    expect(l.counts.workerLoads, 'a new SharedWorker').toBe(2);
    const popup = await popupText(context, /SharedWorker|worker/i);
    expect(popup).toMatch(/SharedWorker|worker/i);
    // The profile's own note under the incident: why no fresh token comes on this platform.
    const popupPage = await openPopup(context);
    await expect
      .poll(async () => (await popupPage.locator('.incident__note').allInnerTexts()).join(' | '), { timeout: 10_000 })
      .toMatch(/Amazon Connect/);
    const note = (await popupPage.locator('.incident__note').first().innerText()).trim();
    await popupPage.close();
    figures(
      testInfo,
      `publish-storm with, no call: reloaded and ready ${secs(recoveredMs)} after the storm (popup: "${popup}"; note: "${note}")`,
    );
  });

  test('publish storm with two CCP tabs on one worker: both reloaded together once, one new worker', async ({ context, lab }, testInfo) => {
    test.setTimeout(180_000);
    // A tab that joins a running worker gets the agent but no socket event (the worker sends
    // `webSocket::connection_gain` once, when the socket comes up): the socket is read from the lab.
    const attached = (s: AmazonVendorState): boolean => s.initialized && s.agent !== null;
    const { page } = await openCcp(context, lab);
    const second = await context.newPage();
    await second.goto(`${lab.origins.softphone}/vendors/amazon/`);
    expect(await waitUntil(pageHolds(second, attached), 20_000), 'the second tab attached').not.toBeNull();
    expect((await amazonLabState(lab)).counts.workerLoads).toBe(1);
    const { at } = await injectFault(lab, 'publish-storm');
    const recoveredMs = await waitUntil(
      async () =>
        (await pageHolds(page, (s) => s.loads === 2 && attached(s))()) &&
        (await pageHolds(second, (s) => s.loads === 2 && attached(s))()) &&
        (await amazonLabState(lab)).sockets.length === 1,
      110_000,
      at,
      250,
    );
    const [a, b] = [await amazonState(page), await amazonState(second)];
    expect(recoveredMs, `both reloaded once and attached, one socket (now: loads ${a?.loads} and ${b?.loads})`).not.toBeNull();
    await sleep(3_000);
    expect([(await amazonState(page))?.loads, (await amazonState(second))?.loads], 'once each').toEqual([2, 2]);
    const l = await amazonLabState(lab);
    expect(l.counts.workerLoads, 'one new SharedWorker for both').toBe(2);
    expect(l.sockets, 'one socket for both').toHaveLength(1);
    figures(
      testInfo,
      `publish-storm with, two tabs: both reloaded and attached to one new worker ${secs(recoveredMs)} after the storm, one socket`,
    );
  });

  test('silent revoke: after the first refused poll, one safe reload, ready with a fresh token', async ({ context, lab }, testInfo) => {
    test.setTimeout(150_000);
    const { page } = await openCcp(context, lab);
    expect(await waitUntil(async () => (await amazonLabState(lab)).heldPolls === 1, 5_000), 'a held snapshot poll').not.toBeNull();
    await sleep(1_000);
    const { at } = await injectFault(lab, 'token-revoke');
    const first401 = await waitUntil(
      async () => (await amazonLabState(lab)).log.some((e) => e.at >= at && e.status === 401),
      40_000,
      at,
      250,
    );
    expect(first401, 'a refused call').not.toBeNull();
    const recoveredMs = await waitUntil(
      pageHolds(page, (s) => s.loads === 2 && ccpReady(s)),
      90_000,
      at,
      250,
    );
    const s = await amazonState(page);
    expect(recoveredMs, `reloaded once and ready again (now: loads ${s?.loads}, socket ${s?.socket.open})`).not.toBeNull();
    const since = at + recoveredMs!;
    await sleep(3_000);
    const l = await amazonLabState(lab);
    expect(
      l.log.filter((e) => e.at >= since && e.status === 401),
      'no refusal after the reload',
    ).toEqual([]);
    figures(testInfo, `token-revoke with: first 401 ${secs(first401)}, reloaded and ready ${secs(recoveredMs)} after the revoke`);
  });

  test('silent stall: the client recovers by itself first; nothing reloaded', async ({ context, lab }, testInfo) => {
    test.setTimeout(90_000);
    const { page } = await openCcp(context, lab);
    const before = (await amazonLabState(lab)).counts.socketsOpened;
    const { at } = await injectFault(lab, 'silent-stall', { durationMs: 120_000 });
    const reopened = await waitUntil(async () => (await amazonLabState(lab)).counts.socketsOpened > before, 30_000, at, 250);
    expect(reopened, 'a new socket').not.toBeNull();
    await sleep(Math.max(0, 45_000 - (Date.now() - at)));
    const s = (await amazonState(page))!;
    expect(s.loads, 'no reload').toBe(1);
    expect(ccpReady(s)).toBe(true);
    figures(testInfo, `silent-stall with: a new socket ${secs(reopened)} after the stall (the client's own heartbeat); no reload in 45 s`);
  });
});
