/**
 * What the probe's `getStats()` polling costs the page (extension/page/peer-connection-hook.ts):
 * it polls only connections that carry media, and when the page fetched a whole report of a
 * connection since the previous poll, it summarizes that report instead of asking for its own.
 * The built probe in a plain page, real loopback connections; the relay stand-in configures a
 * 250 ms poll (the policy's minimum) so a test takes seconds.
 */
import type { Page } from '@playwright/test';
import { expectAllValid, observations } from '../e2e/fixtures/probe/harness';
import { TIER_CONFIG, expect, openTierPage, test } from './support/probe-page';

const FAST = { ...TIER_CONFIG, statsIntervalMs: 250 };

/** Connects two loopback connections, with the fake microphone (a call) or a data channel only; kept in `window.__pcs`. */
async function connect(page: Page, media: boolean): Promise<void> {
  await page.evaluate(async (withMedia) => {
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
    b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
    if (withMedia) {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      for (const t of stream.getTracks()) a.addTrack(t, stream);
    } else {
      a.createDataChannel('data');
    }
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription!);
    (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = [a, b];
  }, media);
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.map((pc) => pc.connectionState)))
    .toEqual(['connected', 'connected']);
}

/** The ids of every connection the probe posted a state of. */
async function pcIds(page: Page): Promise<string[]> {
  return [...new Set((await observations(page, 'pc-state')).map((o) => o.pcId as string))];
}

test.describe('getStats polling', () => {
  test.beforeEach(async ({ plainBrowser, server }) => {
    await plainBrowser.grantPermissions(['microphone'], { origin: server.origin });
  });

  test('a call is polled; a data-channel-only connection is not', async ({ plainBrowser, server }) => {
    const page = await openTierPage(plainBrowser, server, FAST);
    await connect(page, false);
    await page.waitForTimeout(2000); // eight poll intervals
    expect(await observations(page, 'pc-stats'), 'no stats of a connection without media').toEqual([]);
    expect((await observations(page, 'pc-state')).some((o) => o.connectionState === 'connected')).toBe(true);

    await connect(page, true);
    await expect
      .poll(async () => new Set((await observations(page, 'pc-stats')).map((o) => o.pcId)).size, { message: 'both call legs polled' })
      .toBe(2);
    await expectAllValid(page);
    await page.close();
  });

  test('each leg of a one-way call is summarized from its own stream: the receiving one in full, the sending one its RTT and bytes', async ({
    plainBrowser,
    server,
  }) => {
    const page = await openTierPage(plainBrowser, server, FAST);
    await connect(page, true);
    const legs = async (): Promise<{ recv?: string; send?: string }> => {
      const stats = await observations(page, 'pc-stats');
      return {
        recv: stats.find((o) => (o.inboundAudioBytes as number) > 0 && o.mos !== null)?.pcId as string | undefined,
        send: stats.find((o) => (o.outboundAudioBytes as number) > 0 && o.rttMs !== null)?.pcId as string | undefined,
      };
    };
    await expect
      .poll(async () => Object.values(await legs()).filter((id) => id !== undefined).length, {
        message: 'a full summary of the receiving leg, RTT and bytes of the sending one',
        timeout: 15_000,
      })
      .toBe(2);
    const { recv, send } = await legs();
    expect(recv).not.toBe(send);
    const stats = await observations(page, 'pc-stats');
    const full = stats.find((o) => o.pcId === recv && o.mos !== null)!;
    expect(full.rttMs).toEqual(expect.any(Number));
    expect(full.jitterMs).toEqual(expect.any(Number));
    expect(full.packetLossPct).toEqual(expect.any(Number));
    for (const o of stats.filter((x) => x.pcId === recv)) expect(o.outboundAudioBytes, 'the receiving leg sends nothing').toBe(0);
    for (const o of stats.filter((x) => x.pcId === send)) {
      expect(o.inboundAudioBytes, 'the sending leg receives nothing').toBe(0);
      expect(o.jitterMs).toBeNull();
    }
    await expectAllValid(page);
    await page.close();
  });

  test('a setup that completes posts its outcome, not the states on the way; a state that lasts is posted', async ({
    plainBrowser,
    server,
  }) => {
    const page = await openTierPage(plainBrowser, server, FAST);
    await connect(page, false);
    const ids = await pcIds(page);
    await page.waitForTimeout(1500); // past the wait of any transient state
    const states = await observations(page, 'pc-state');
    for (const id of ids) {
      const mine = states
        .filter((o) => o.pcId === id)
        .map((o) => `${String(o.iceConnectionState)} ${String(o.connectionState)} ${String(o.signalingState)}`);
      expect(mine.at(-1), id).toMatch(/^(connected|completed) connected stable$/);
      expect(
        mine.filter((m) => / (new|connecting) /.test(m)),
        `${id}: ${mine.join(', ')}`,
      ).toEqual([]);
      expect(new Set(mine).size, 'no state posted twice').toBe(mine.length);
    }

    // A connection left with its offer and no answer stays in have-local-offer: that is posted.
    const before = (await observations(page, 'pc-state')).length;
    await page.evaluate(async () => {
      const c = new RTCPeerConnection();
      c.createDataChannel('data');
      await c.setLocalDescription(await c.createOffer());
      (window as unknown as { __waiting: RTCPeerConnection }).__waiting = c;
    });
    await expect
      .poll(async () => (await observations(page, 'pc-state')).slice(before).map((o) => o.signalingState), { timeout: 5000 })
      .toContain('have-local-offer');
    await page.evaluate(() => (window as unknown as { __waiting: RTCPeerConnection }).__waiting.close());
    await expect
      .poll(async () =>
        (await observations(page, 'pc-state'))
          .slice(before)
          .map((o) => o.signalingState)
          .at(-1),
      )
      .toBe('closed');
    await expectAllValid(page);
    await page.close();
  });

  test('the page’s own whole reports are summarized instead of the probe asking for more', async ({ plainBrowser, server }) => {
    const page = await openTierPage(plainBrowser, server, FAST);
    await connect(page, true);
    // The page polls both legs every 150 ms, as a softphone polls its call, and notes the audio
    // byte counters of every report it got: a summary of the page's report carries one of them.
    // A report the probe asked for carries counters the page never saw (audio flows at 50
    // packets a second), unless Chromium answered both from its 50 ms cache of the last report
    // (RTCStatsCollector): about one own report in three at this rate, so six summaries that
    // all match are not a coincidence.
    await page.evaluate(() => {
      const w = window as unknown as { __pcs: RTCPeerConnection[]; __seen: string[]; __stop: () => void };
      w.__seen = [];
      const timer = setInterval(() => {
        for (const pc of w.__pcs) {
          void pc.getStats().then((report) => {
            let inBytes = 0;
            let outBytes = 0;
            report.forEach((s: { type: string; kind?: string; bytesReceived?: number; bytesSent?: number }) => {
              if (s.type === 'inbound-rtp' && s.kind === 'audio') inBytes += s.bytesReceived ?? 0;
              if (s.type === 'outbound-rtp' && s.kind === 'audio') outBytes += s.bytesSent ?? 0;
            });
            w.__seen.push(`${inBytes}/${outBytes}`);
          });
        }
      }, 150);
      w.__stop = () => clearInterval(timer);
    });
    await page.waitForTimeout(600); // a poll of the probe's own in flight is past
    const start = (await observations(page, 'pc-stats')).length;
    await expect
      .poll(async () => (await observations(page, 'pc-stats')).length - start, { message: 'posted summaries', timeout: 20_000 })
      .toBeGreaterThanOrEqual(6);
    await page.evaluate(() => (window as unknown as { __stop: () => void }).__stop());
    const seen = new Set(await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen));
    const posted = (await observations(page, 'pc-stats')).slice(start);
    const bytes = posted.map((o) => `${String(o.inboundAudioBytes)}/${String(o.outboundAudioBytes)}`);
    expect(bytes.filter((b) => b !== '0/0').length, 'audio counted').toBeGreaterThanOrEqual(6);
    expect(
      bytes.filter((b) => !seen.has(b)),
      'every summary is of a report the page itself got',
    ).toEqual([]);

    // With the page no longer polling, the probe asks for reports itself: counters the page never saw.
    await page.waitForTimeout(600);
    const after = (await observations(page, 'pc-stats')).length;
    await expect.poll(async () => (await observations(page, 'pc-stats')).length - after, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    const own = (await observations(page, 'pc-stats'))
      .slice(after)
      .map((o) => `${String(o.inboundAudioBytes)}/${String(o.outboundAudioBytes)}`);
    expect(own.some((b) => !seen.has(b))).toBe(true);
    await expectAllValid(page);
    await page.close();
  });
});
