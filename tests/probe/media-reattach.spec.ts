/**
 * Rung 4 during a call (extension/page/sender-reattach.ts): the built probe in a plain page, a
 * real loopback call whose microphone track has ended, the test playing the worker's
 * `reacquire-media`. The call's sender must carry a live microphone again, the app's handle on
 * the ended track must still mute and release it, and closing the call must release the
 * capture the probe opened.
 */
import type { Page } from '@playwright/test';
import { expectAllValid, observations } from '../e2e/fixtures/probe/harness';
import { expect, test } from './support/probe-page';

interface CallState {
  senderTrack: { readyState: string; enabled: boolean; same: boolean } | null;
  packetsSent: number;
}

/** Opens a loopback call sending the fake microphone; keeps it in `window.__call`. */
async function callUp(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const [track] = stream.getAudioTracks();
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
    b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
    a.addTrack(track!, stream);
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription!);
    (window as unknown as { __call: unknown }).__call = { a, b, track };
  });
}

function callState(page: Page): Promise<CallState> {
  return page.evaluate(async () => {
    const { a, track } = (window as unknown as { __call: { a: RTCPeerConnection; track: MediaStreamTrack } }).__call;
    const t = a.getSenders()[0]?.track ?? null;
    let packetsSent = 0;
    (await a.getStats()).forEach((s: { type: string; kind?: string; packetsSent?: number }) => {
      if (s.type === 'outbound-rtp' && s.kind === 'audio') packetsSent = s.packetsSent ?? 0;
    });
    return { senderTrack: t && { readyState: t.readyState, enabled: t.enabled, same: t === track }, packetsSent };
  });
}

test.describe('a call whose microphone track ended', () => {
  test.beforeEach(async ({ plainBrowser, server }) => {
    await plainBrowser.grantPermissions(['microphone'], { origin: server.origin });
  });

  test('reacquire-media puts a live microphone back in the sender; the app still mutes it and the hang-up releases it', async ({
    probePage: page,
  }) => {
    await callUp(page);
    await expect.poll(async () => (await callState(page)).packetsSent, { message: 'audio flows' }).toBeGreaterThan(10);
    // What a revoked permission leaves behind: the sender's track ended (stop() ends it the same way, W3C Media Capture §4.3.1).
    await page.evaluate(() => (window as unknown as { __call: { track: MediaStreamTrack } }).__call.track.stop());
    expect((await callState(page)).senderTrack).toEqual({ readyState: 'ended', enabled: true, same: true });

    await page.evaluate(() => (window as unknown as { __relay: { send(m: unknown): void } }).__relay.send({ type: 'reacquire-media' }));
    await expect
      .poll(async () => (await observations(page, 'media-reacquired')).map((o) => [o.ok, o.reattached]), { timeout: 15_000 })
      .toEqual([[true, 1]]);
    expect((await callState(page)).senderTrack).toEqual({ readyState: 'live', enabled: true, same: false });
    const sent = (await callState(page)).packetsSent;
    await expect.poll(async () => (await callState(page)).packetsSent, { message: 'audio flows again' }).toBeGreaterThan(sent + 10);

    // The app's mute and hang-up go through its own (ended) track object.
    const muted = await page.evaluate(() => {
      const { a, track } = (window as unknown as { __call: { a: RTCPeerConnection; track: MediaStreamTrack } }).__call;
      track.enabled = false;
      const off = a.getSenders()[0]!.track!.enabled;
      track.enabled = true;
      return { off, on: a.getSenders()[0]!.track!.enabled, reads: track.enabled };
    });
    expect(muted).toEqual({ off: false, on: true, reads: true });
    const afterClose = await page.evaluate(() => {
      const { a, b } = (window as unknown as { __call: { a: RTCPeerConnection; b: RTCPeerConnection } }).__call;
      const fresh = a.getSenders()[0]!.track!;
      a.close();
      b.close();
      return fresh.readyState;
    });
    expect(afterClose, 'the capture the probe opened is released with the call').toBe('ended');
    await expectAllValid(page);
  });

  test('a live microphone is left alone: nothing re-attached', async ({ probePage: page }) => {
    await callUp(page);
    await page.evaluate(() => (window as unknown as { __relay: { send(m: unknown): void } }).__relay.send({ type: 'reacquire-media' }));
    await expect
      .poll(async () => (await observations(page, 'media-reacquired')).map((o) => [o.ok, o.reattached]), { timeout: 15_000 })
      .toEqual([[true, undefined]]);
    expect((await callState(page)).senderTrack).toEqual({ readyState: 'live', enabled: true, same: true });
  });
});
