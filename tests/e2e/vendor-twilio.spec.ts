/**
 * The Twilio Voice vendor lab (tests/lab/README.md "Vendor labs: Twilio Voice"): Twilio's own
 * published client, @twilio/voice-sdk 2.18.5 (its browser bundle, unmodified), registered against
 * the lab's PStream back end, with real loopback calls. Each test prints one line of figures:
 * `[vendor-twilio] <scenario>: …`.
 *
 * Without the extension, what the SDK does by itself:
 * - a publish storm (tokens revoked, sockets dropped 1006): the SDK reconnects at once and sends
 *   `listen` with its revoked token, gets the invalid-token error (31204, AccessTokenInvalid 20101)
 *   and stays unregistered — it never asks the app for another token;
 * - a silent revoke (`twilio-silent-revoke`): nothing shows until the SDK's next `register`
 *   (every 30 s, lib/twilio/device.ts REGISTRATION_INTERVAL) or call is refused (31204 → 20101),
 *   and the SDK still calls itself registered;
 * - a silent stall: the SDK's own 15 s HEARTBEAT_TIMEOUT (lib/twilio/wstransport.ts) drops the
 *   socket, reconnects with its still valid token and registers again;
 * - the app's own refresh (`tokenWillExpire` → `updateToken`, Twilio's quickstart) keeps it registered.
 *
 * With the extension, configured as a customer would (profile `twilio-flex`): a Twilio token is
 * minted by the customer's own backend, so the extension cannot refresh it; it watches, the app's
 * own refresh runs untouched, a silent stall is left to the SDK's own heartbeat timeout (the
 * profile's 30 s lies above its 15 s), and after a refused token a safe reload happens only with no
 * call active.
 */
import { test, expect } from './support/fixture';
import type { Page, TestInfo, Worker } from '@playwright/test';
import { extensionWorker } from './support/softphone';
import type { Lab } from './support/softphone';
import type { VendorState } from './support/vendor-twilio';
import {
  TWILIO_BROWSER_ARGS,
  TWILIO_PAGE_PATH,
  dialAndTalk,
  eventAfter,
  firstLogged,
  hangUp,
  heardByFarEnd,
  incidentSince,
  injectFault,
  micSetting,
  openTwilio,
  flowingAtEnd,
  longestSilence,
  traceHeard,
  pageHolds,
  ringAndTalk,
  secs,
  sleep,
  talking,
  twilioOrigin,
  twilioState,
  vendorState,
  waitUntil,
  watchesTwilioPage,
} from './support/vendor-twilio';

/** How a customer configures the extension for a Twilio softphone: the profile, their page, their signalling origin. */
const TWILIO_FLEX_USER_CONFIG = {
  profile: 'twilio-flex',
  softphoneUrlPatterns: ['https://softphone.test/vendors/twilio/*'],
  tokenRefresh: { audience: ['https://softphone.test'] },
};

/**
 * The same with shorter waits for the with-extension tests, which are about the mechanism — a
 * refused token ends in a safe reload, never while a call's audio flows — not about the figures:
 * - `watchdog.reconnectGraceMs` 5 s instead of the profile's 20 s, which is sized for the SDK's
 *   own reconnect attempts (src/policy/profiles.ts TWILIO_FLEX); here the refusal comes 0.2 s
 *   after the socket is back;
 * - `safeReload.quietMs` 10 s instead of 60 s: how long the call's inbound audio must have been
 *   still before a reload (src/recovery/safe-reload.ts `callActive`); the probe reads the stats
 *   every second (src/policy/probe-config.ts PROBE_STATS_INTERVAL_MS).
 * The heartbeat timeout stays the profile's (the silent-stall test is about that figure).
 */
const TEST_USER_CONFIG = { ...TWILIO_FLEX_USER_CONFIG, watchdog: { reconnectGraceMs: 5_000 }, safeReload: { quietMs: 10_000 } };

// One browser per configuration for the whole file (each test has its own lab and its own tab).
test.use({ labOptions: { tls: true }, browserArgs: [...TWILIO_BROWSER_ARGS], shareBrowser: true });

// A shared browser gets this test's configuration just before the test: wait until the worker has
// registered its content scripts for it (the Twilio page watched or not), so the page opens as configured.
test.beforeEach(async ({ withExtension, userConfig, context }) => {
  if (!withExtension) return;
  const watched = JSON.stringify(userConfig ?? {}).includes(TWILIO_PAGE_PATH);
  expect(
    await watchesTwilioPage(await extensionWorker(context), watched),
    `content scripts ${watched ? '' : 'not '}registered for the page`,
  ).toBe(true);
});

// A shared browser keeps its tabs: close this test's, so that no page of a closed lab lives on into the next test.
test.afterEach(async ({ context }) => {
  await Promise.all(context.pages().map((p) => p.close()));
});

/** One line of figures, printed and attached to the report. */
function figures(testInfo: TestInfo, line: string): void {
  console.log(`[vendor-twilio] ${line}`);
  testInfo.annotations.push({ type: 'figures', description: line });
}

/** Access token errors the page logged at or after `since`: the SDK's AccessTokenInvalid (20101) or AccessTokenExpired (20104). */
const tokenErrorsSince = (since: number) => (s: VendorState) =>
  s.errors.filter((e) => e.at >= since && (e.code === 20101 || e.code === 20104));

test.describe('without the extension', () => {
  test.use({ withExtension: false });

  test('the SDK registers and carries loopback calls both ways, with audio', async ({ context, lab }, testInfo) => {
    const { page, registeredMs } = await openTwilio(context, lab);
    const s = (await vendorState(page))!;
    expect(s.sdkVersion).toBe('2.18.5');
    const outMs = await dialAndTalk(page);
    expect(outMs, 'outgoing call: audio flowing').not.toBeNull();
    const out = (await vendorState(page))!.call!;
    expect(out.sid).toMatch(/^CA[0-9a-f]{32}$/);
    await hangUp(page);
    const inMs = await ringAndTalk(lab, page);
    expect(inMs, 'incoming call: audio flowing').not.toBeNull();
    await hangUp(page);
    const lab1 = await twilioState(lab);
    expect(lab1.calls).toEqual([]);
    expect(lab1.counts.listen).toBe(1);
    expect(lab1.counts.listenRefused).toBe(0);
    expect(lab1.counts.tokenRequests).toBe(1);
    // The Insights publisher never left the lab: its requests to Twilio hosts were refused by the page's fence.
    const hosts = Object.keys((await vendorState(page))!.fenced);
    expect(hosts.every((h) => h.endsWith('.twilio.com'))).toBe(true);
    figures(
      testInfo,
      `baseline: registered ${secs(registeredMs)} after navigation; outgoing call audio after ${secs(outMs)}; incoming ${secs(inMs)}; ` +
        `Insights posts to the lab ${lab1.counts.insightsPosts}, fenced ${JSON.stringify((await vendorState(page))!.fenced)}`,
    );
  });

  test('publish storm: the SDK reconnects with its revoked token, is refused and stays unregistered', async ({
    context,
    lab,
  }, testInfo) => {
    const { page } = await openTwilio(context, lab);
    const { at, answer } = await injectFault(lab, 'publish-storm');
    expect(answer.terminatedSockets).toBeGreaterThanOrEqual(1);
    const unregisteredMs = await eventAfter(page, 'device.unregistered', at, 10_000);
    expect(unregisteredMs, 'the SDK noticed the drop').not.toBeNull();
    const refusedMs = await waitUntil(
      pageHolds(page, (s) => tokenErrorsSince(at)(s).length > 0),
      15_000,
      at,
    );
    expect(refusedMs, 'the SDK got the invalid-token error').not.toBeNull();
    const refusedListen = await firstLogged(lab, at, (e) => e.dir === 'out' && e.type === 'error' && e.code === 31204);
    expect(refusedListen, 'the lab refused a listen with 31204').toBeDefined();
    // Watch 15 s more: does it ever come back by itself?
    let everRegistered = false;
    const end = Date.now() + 15_000;
    while (Date.now() < end) {
      if ((await vendorState(page))?.registered) everRegistered = true;
      await sleep(250);
    }
    const s = (await vendorState(page))!;
    const l = await twilioState(lab);
    expect(everRegistered, 'registered again by itself').toBe(false);
    expect(s.loads, 'the app did not reload itself').toBe(1);
    expect(s.tokenFetches, 'the app asked its backend for no new token').toBe(1);
    const err = tokenErrorsSince(at)(s)[0]!;
    figures(
      testInfo,
      `publish-storm without: unregistered after ${secs(unregisteredMs)}, listen refused (31204) ${secs(refusedListen!.at - at)} after the storm, ` +
        `app saw error ${err.code}${err.signalingCode ? ` (signalling ${err.signalingCode})` : ''} after ${secs(refusedMs)}; ` +
        `still unregistered ${secs(Date.now() - at)} after; listens ${l.counts.listen} (${l.counts.listenRefused} refused), sockets opened ${l.counts.socketsOpened}, token fetches ${s.tokenFetches}`,
    );
  });

  test('silent revoke: the next register is refused, the SDK still says registered; a call is refused', async ({
    context,
    lab,
  }, testInfo) => {
    test.setTimeout(120_000);
    const { page } = await openTwilio(context, lab);
    const before = await twilioState(lab);
    const { at, answer } = await injectFault(lab, 'twilio-silent-revoke');
    expect(answer.revokedTokens).toBeGreaterThanOrEqual(1);
    // First sign: a refused register (REGISTRATION_INTERVAL 30 s), not a drop.
    const refusedMs = await waitUntil(
      pageHolds(page, (s) => tokenErrorsSince(at)(s).length > 0),
      40_000,
      at,
      250,
    );
    expect(refusedMs, 'the SDK got the invalid-token error').not.toBeNull();
    const first = await firstLogged(lab, at, (e) => e.dir === 'out' && e.type === 'error');
    const after = await twilioState(lab);
    expect(first?.code).toBe(31204);
    expect(after.counts.registerRefused).toBeGreaterThanOrEqual(1);
    expect(after.counts.socketsClosed - before.counts.socketsClosed, 'no socket closed').toBe(0);
    const s = (await vendorState(page))!;
    expect(s.deviceState, "the SDK's own state after the refusal").toBe('registered');
    // The agent places a call: the invite is refused the same way.
    const t1 = Date.now();
    await page.evaluate(() => (window as unknown as { labVendorApi: { dial(): Promise<unknown> } }).labVendorApi.dial());
    const callRefusedMs = await waitUntil(
      pageHolds(page, (v) => tokenErrorsSince(t1)(v).length > 0),
      15_000,
      t1,
    );
    expect(callRefusedMs, 'the call was refused').not.toBeNull();
    const refusedInvite = await firstLogged(lab, t1, (e) => e.dir === 'out' && e.type === 'error');
    expect(refusedInvite?.code).toBe(31204);
    expect(refusedInvite?.callSid, 'the error frame names the call').toBeDefined();
    await sleep(3_000);
    const v = (await vendorState(page))!;
    expect(v.call?.accepted).toBe(false);
    const callErr = tokenErrorsSince(t1)(v)[0]!;
    figures(
      testInfo,
      `twilio-silent-revoke without: first sign a refused register (31204) after ${secs(refusedMs)}, no socket dropped, SDK state still "${s.deviceState}"; ` +
        `a call: invite refused (31204), the app saw error ${callErr.code} after ${secs(callRefusedMs)} (not attached to the call), the call still "${v.call?.status}" 3 s later`,
    );
  });

  test("silent stall: the SDK's 15 s heartbeat timeout reconnects it, registered again", async ({ context, lab }, testInfo) => {
    test.setTimeout(120_000);
    const { page } = await openTwilio(context, lab);
    const before = await twilioState(lab);
    const { at } = await injectFault(lab, 'silent-stall', { durationMs: 120_000 });
    const unregisteredMs = await eventAfter(page, 'device.unregistered', at, 30_000);
    expect(unregisteredMs, 'the SDK noticed the stall').not.toBeNull();
    // HEARTBEAT_TIMEOUT is 15 s after the last frame; the last heartbeat came up to one lab heartbeat period (5 s) before the stall.
    expect(unregisteredMs!).toBeGreaterThanOrEqual(9_000);
    expect(unregisteredMs!).toBeLessThanOrEqual(17_000);
    const registeredMs = await eventAfter(page, 'device.registered', at + unregisteredMs!, 30_000);
    expect(registeredMs, 'registered again').not.toBeNull();
    expect(
      await waitUntil(
        pageHolds(page, (s) => s.registered),
        5_000,
      ),
    ).not.toBeNull();
    const after = await twilioState(lab);
    expect(after.counts.socketsOpened - before.counts.socketsOpened).toBe(1);
    expect(after.counts.listenRefused).toBe(0);
    const s = (await vendorState(page))!;
    expect(s.loads).toBe(1);
    figures(
      testInfo,
      `silent-stall without: unregistered after ${secs(unregisteredMs)} (heartbeat timeout), registered again ${secs(registeredMs)} later on a new socket, no reload`,
    );
  });

  test.describe('short-lived tokens', () => {
    test.use({ labOptions: { tls: true, tokenTtlSeconds: 25 } });

    test("the app's own refresh: tokenWillExpire → updateToken keeps it registered", async ({ context, lab }, testInfo) => {
      const { page } = await openTwilio(context, lab);
      const t0 = Date.now();
      const updatedMs = await waitUntil(
        pageHolds(page, (s) => s.tokenUpdates >= 1),
        30_000,
        t0,
        250,
      );
      expect(updatedMs, 'the app updated its token').not.toBeNull();
      const connectedAgain = await waitUntil(async () => (await twilioState(lab)).counts.listen >= 2, 5_000);
      expect(connectedAgain).not.toBeNull();
      // Past the first token's expiry: still registered, the register refresh accepted with the new token.
      await sleep(Math.max(0, 32_000 - (Date.now() - t0)));
      const s = (await vendorState(page))!;
      const l = await twilioState(lab);
      expect(s.registered).toBe(true);
      expect(s.errors).toEqual([]);
      expect(l.counts.listenRefused + l.counts.registerRefused).toBe(0);
      expect(l.counts.socketsOpened).toBe(1);
      figures(
        testInfo,
        `app refresh without: tokenWillExpire → updateToken ${secs(updatedMs)} after registering (token TTL 25 s, tokenRefreshMs 10 s); listens ${l.counts.listen} on one socket, no error`,
      );
    });
  });
});

test.describe('with the extension (profile twilio-flex)', () => {
  test.use({ userConfig: TEST_USER_CONFIG });

  test.describe('short-lived tokens', () => {
    test.use({ labOptions: { tls: true, tokenTtlSeconds: 25 } });

    test("the app's own refresh runs untouched: no reload, no refused token", async ({ context, lab }, testInfo) => {
      const { page } = await openTwilio(context, lab);
      const t0 = Date.now();
      const updatedMs = await waitUntil(
        pageHolds(page, (s) => s.tokenUpdates >= 1),
        30_000,
        t0,
        250,
      );
      expect(updatedMs, 'the app updated its token').not.toBeNull();
      await sleep(Math.max(0, 32_000 - (Date.now() - t0)));
      const s = (await vendorState(page))!;
      const l = await twilioState(lab);
      expect(s.registered).toBe(true);
      expect(s.loads, 'no reload').toBe(1);
      expect(s.errors).toEqual([]);
      expect(l.counts.listenRefused + l.counts.registerRefused).toBe(0);
      figures(
        testInfo,
        `app refresh with: updateToken ${secs(updatedMs)} after registering, listens ${l.counts.listen}, reloads 0, no error`,
      );
    });
  });

  test("silent stall: the SDK's own 15 s heartbeat timeout recovers it first; nothing reloaded", async ({ context, lab }, testInfo) => {
    test.setTimeout(120_000);
    const { page } = await openTwilio(context, lab);
    const { at } = await injectFault(lab, 'silent-stall', { durationMs: 120_000 });
    const unregisteredMs = await eventAfter(page, 'device.unregistered', at, 30_000);
    expect(unregisteredMs, 'the SDK noticed the stall').not.toBeNull();
    const registeredMs = await eventAfter(page, 'device.registered', at + unregisteredMs!, 30_000);
    expect(registeredMs, 'registered again').not.toBeNull();
    // The profile's heartbeat timeout (30 s) lies above the SDK's 15 s: the extension has nothing to do. Watch to 45 s after the stall.
    await sleep(Math.max(0, 45_000 - (Date.now() - at)));
    const s = (await vendorState(page))!;
    expect(s.registered).toBe(true);
    expect(s.loads, 'no reload').toBe(1);
    expect(s.errors.filter((e) => e.at >= at).map((e) => e.code)).toEqual([]);
    figures(
      testInfo,
      `silent-stall with: the SDK dropped the socket after ${secs(unregisteredMs)} and registered again ${secs(registeredMs)} later; no reload in 45 s`,
    );
  });

  test('publish storm with no call: a safe reload, the SDK registered again with a fresh token', async ({ context, lab }, testInfo) => {
    test.setTimeout(150_000);
    const { page } = await openTwilio(context, lab);
    const { at } = await injectFault(lab, 'publish-storm');
    const recoveredMs = await waitUntil(
      pageHolds(page, (s) => s.loads === 2 && s.registered),
      110_000,
      at,
      250,
    );
    const s = await vendorState(page);
    expect(recoveredMs, `reloaded once and registered again (now: loads ${s?.loads}, state ${s?.deviceState})`).not.toBeNull();
    figures(testInfo, `publish-storm with, no call: reloaded and registered ${secs(recoveredMs)} after the storm`);
  });

  test('publish storm during a call: no reload while the call lasts; after the hang-up a safe reload, registered again', async ({
    context,
    lab,
  }, testInfo) => {
    test.setTimeout(180_000);
    const { page } = await openTwilio(context, lab);
    expect(await dialAndTalk(page), 'call up').not.toBeNull();
    await injectFault(lab, 'publish-storm');
    // 30 s of the call after the storm: the page is never reloaded, audio keeps flowing (peer to peer).
    const packetsAt = (await vendorState(page))!.call!.packetsReceived;
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      const v = await vendorState(page);
      expect(v?.loads, 'no reload during the call').toBe(1);
      await sleep(500);
    }
    const during = (await vendorState(page))!;
    expect(talking(during)).toBe(true);
    expect(during.call!.packetsReceived).toBeGreaterThan(packetsAt);
    const hungUpAt = Date.now();
    await hangUp(page);
    const recoveredMs = await waitUntil(
      pageHolds(page, (s) => s.loads === 2 && s.registered),
      110_000,
      hungUpAt,
      250,
    );
    const s = await vendorState(page);
    expect(
      recoveredMs,
      `reloaded once after the hang-up and registered again (now: loads ${s?.loads}, state ${s?.deviceState})`,
    ).not.toBeNull();
    figures(
      testInfo,
      `publish-storm with, in a call: no reload for 30 s of call (audio on), reloaded and registered ${secs(recoveredMs)} after the hang-up`,
    );
  });

  test('silent revoke: after the refused register, a safe reload, registered again', async ({ context, lab }, testInfo) => {
    test.setTimeout(180_000);
    const { page } = await openTwilio(context, lab);
    const { at } = await injectFault(lab, 'twilio-silent-revoke');
    const refused = await waitUntil(async () => (await twilioState(lab)).counts.registerRefused >= 1, 40_000, at, 250);
    expect(refused, 'a register was refused').not.toBeNull();
    const recoveredMs = await waitUntil(
      pageHolds(page, (s) => s.loads === 2 && s.registered),
      110_000,
      at,
      250,
    );
    const s = await vendorState(page);
    expect(recoveredMs, `reloaded once and registered again (now: loads ${s?.loads}, state ${s?.deviceState})`).not.toBeNull();
    figures(
      testInfo,
      `twilio-silent-revoke with: register refused after ${secs(refused)}, reloaded and registered ${secs(recoveredMs)} after the revoke`,
    );
  });
});

/**
 * The microphone lost during a call: the agent (or IT) blocks the softphone's microphone in the
 * browser's site settings while a call is up. The microphone is left to the site settings
 * (`sitePermissions`, allowed for the lab page before it opens, as in
 * tests/e2e/media-recovery.spec.ts); the block ends the SDK's capture track and the agent's
 * outgoing audio stops reaching the far end.
 *
 * The SDK re-opens its input only when its device list changes: on `devicechange` it
 * re-enumerates and emits `deviceChange` (→ `_onInputDevicesChanged`, a new getUserMedia) only
 * for a device added, lost or relabelled (@twilio/voice-sdk 2.18.5 lib/twilio/audiohelper.ts
 * `_updateDevices`, lib/twilio/device.ts `deviceChange` listener, lib/twilio/rtc/peerconnection.ts
 * `_onInputDevicesChanged`). A block and a grant leave the list as it was (Chromium fires no
 * `devicechange` on the block), so allowing the setting again and dispatching `devicechange` is
 * not enough (measured: the call stayed up without outgoing audio); the extension's rung 4 also
 * puts a fresh capture into the call's sender (`RTCRtpSender.replaceTrack`,
 * extension/page/sender-reattach.ts).
 *
 * Without: the same browser and build, not configured for this page (the shipped defaults do not
 * name `softphone.test`), so nothing of the extension runs in it; the worker only stands for the
 * site-settings page that writes the block.
 */
test.describe('microphone lost during a call', () => {
  test.use({ sitePermissions: true });

  /** How long each test watches the call after the block, ms: past every rung-4 wait (PERMISSION_WAIT_MS 3 s, the prime's 8 s). */
  const WATCH_MS = 20_000;

  /** A call up with audio both ways, the microphone allowed for the lab page before it opened. */
  async function callUp(worker: Worker, context: Parameters<typeof openTwilio>[0], lab: Lab): Promise<Page> {
    expect(await micSetting(worker, twilioOrigin(lab), 'allow')).toBe('allow');
    const { page } = await openTwilio(context, lab);
    expect(await dialAndTalk(page), 'call up').not.toBeNull();
    const heard = heardByFarEnd(await vendorState(page));
    expect(
      await waitUntil(async () => heardByFarEnd(await vendorState(page)) > heard + 20, 5_000),
      'the far end hears the agent',
    ).not.toBeNull();
    return page;
  }

  /**
   * Blocks the microphone and samples what the far end hears until `WATCH_MS` after the block.
   * @returns the block's time, the trace, its longest silence and whether audio flows at its end
   */
  async function blockAndWatch(worker: Worker, lab: Lab, page: Page) {
    const at = Date.now();
    await micSetting(worker, twilioOrigin(lab), 'block');
    const trace = await traceHeard(page, at + WATCH_MS);
    return { at, trace, silence: longestSilence(trace), flowing: flowingAtEnd(trace) };
  }

  test.describe('with the extension (profile twilio-flex)', () => {
    test.use({ userConfig: TEST_USER_CONFIG });

    test("the microphone is allowed again and the SDK's outgoing audio flows again in the same call, no reload", async ({
      context,
      worker,
      lab,
      popup,
    }, testInfo) => {
      const page = await callUp(worker, context, lab);
      const sid = (await vendorState(page))!.call!.sid;
      const { at, silence, flowing } = await blockAndWatch(worker, lab, page);
      // Rung 4 as the popup shows it: the setting allowed again, then the page's microphone re-acquired.
      const incident = await incidentSince(popup, 'permission-lost', at);
      const steps = (incident?.steps ?? []).map((x) => ({ action: x.action, outcome: x.outcome, afterMs: x.at - at }));
      expect(steps, 'rung 4').toEqual(
        expect.arrayContaining([
          expect.objectContaining({ action: 'mic-grant', outcome: 'ok' }),
          expect.objectContaining({ action: 'media-reacquire', outcome: 'ok' }),
        ]),
      );
      expect(await micSetting(worker, twilioOrigin(lab))).toBe('allow');
      const s = (await vendorState(page))!;
      const sdkSawChange = s.events.some((e) => e.name === 'audio.deviceChange' && e.at >= at);
      expect(
        flowing,
        `outgoing audio flows at the end of ${WATCH_MS} ms (longest silence ${silence.ms} ms${silence.untilEnd ? ', to the end' : ''})`,
      ).toBe(true);
      expect(s.call?.sid, 'the same call').toBe(sid);
      expect(s.call?.ended).toBe(false);
      expect(s.call?.status).toBe('open');
      expect(s.loads, 'no reload').toBe(1);
      figures(
        testInfo,
        `mic lost in a call, with: rung 4 ${steps.map((x) => `${x.action} ${x.outcome} at ${x.afterMs} ms`).join(', ')}; ` +
          `longest silence heard by the far end ${silence.ms} ms from ${silence.from - at} ms after the block (the far end reads its stats every 500 ms); ` +
          `audio flowing ${secs(WATCH_MS)} after the block; the SDK's own deviceChange: ${sdkSawChange ? 'yes' : 'none'}; the same call, no reload`,
      );
    });
  });

  test.describe('the extension not watching this page', () => {
    test("the microphone stays blocked and the SDK's outgoing audio does not come back; the call stays up without it", async ({
      context,
      worker,
      lab,
    }, testInfo) => {
      const page = await callUp(worker, context, lab);
      const { at, silence, flowing } = await blockAndWatch(worker, lab, page);
      const s = (await vendorState(page))!;
      expect(silence.untilEnd, `silent from the block to the end of the watch (longest silence ${silence.ms} ms)`).toBe(true);
      expect(silence.from - at, 'silent from the block on').toBeLessThan(3_000);
      expect(flowing).toBe(false);
      expect(await micSetting(worker, twilioOrigin(lab))).toBe('block');
      expect(s.events.some((e) => e.name === 'media.devicechange' && e.at >= at)).toBe(false);
      expect(s.call?.ended).toBe(false);
      expect(s.loads).toBe(1);
      figures(
        testInfo,
        `mic lost in a call, without: the far end hears nothing from ${silence.from - at} ms after the block to the end of the watch ` +
          `(${secs(silence.ms)}); the setting still blocked; the call still "${s.call?.status}"`,
      );
    });
  });
});
