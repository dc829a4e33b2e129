/**
 * What the probe reports: HTTP failures and protected exchanges (not successful ordinary
 * requests), the agent's identity, WebSocket lifecycle and activity, peer connection states
 * and quality summaries from a real loopback call, getUserMedia outcomes, the microphone
 * permission and the end of a capture track.
 */
import { expect, test } from './support/fixture';
import { observations } from './fixtures/probe/harness';
import type { Obs } from './fixtures/probe/harness';

// One browser for the file; a fresh fixture page (and server) per test.
test.use({ shareBrowser: true });

test('HTTP: failures and protected exchanges are reported, ordinary successes are not', async ({
  probePage: page,
  fixtureServer: server,
}) => {
  server.validTokens.add('good');
  const seenByPage = await page.evaluate(async () => {
    const xhr = (method: string, url: string) =>
      new Promise<number>((resolve) => {
        const x = new XMLHttpRequest();
        x.onloadend = () => resolve(x.status);
        x.open(method, url);
        x.send();
      });
    return [
      (await fetch('/plain/200')).status,
      (await fetch('/plain/429', { method: 'post' })).status,
      (await fetch('/api/v2/thing', { headers: { Authorization: 'Bearer good' } })).status,
      await fetch('http://127.0.0.1:1/nothing').then(
        () => 'resolved',
        (e: Error) => e.name,
      ),
      await xhr('GET', '/plain/200'),
      await xhr('DELETE', '/plain/503'),
      await xhr('GET', 'http://127.0.0.1:1/nothing'),
    ];
  });
  expect(seenByPage).toEqual([200, 429, 200, 'TypeError', 200, 503, 0]);
  await expect.poll(async () => (await observations(page, 'http')).length).toBe(5);
  const http = await observations(page, 'http');
  const o = server.origin;
  expect(http.map((h) => [h.transport, h.method, h.url, h.status, h.protected, h.retryAfter, h.error])).toEqual([
    ['fetch', 'POST', `${o}/plain/429`, 429, false, '7', undefined],
    ['fetch', 'GET', `${o}/api/v2/thing`, 200, true, undefined, undefined],
    ['fetch', 'GET', 'http://127.0.0.1:1/nothing', 0, false, undefined, 'TypeError'],
    ['xhr', 'DELETE', `${o}/plain/503`, 503, false, '7', undefined],
    ['xhr', 'GET', 'http://127.0.0.1:1/nothing', 0, false, undefined, 'error'],
  ]);
  for (const h of http) {
    expect(typeof h.durationMs).toBe('number');
    expect(h.requestId).toMatch(/^[fx]-/);
  }
  expect(new Set(http.map((h) => h.requestId)).size).toBe(5);
});

test('identity: read from users/me (fetch and XHR) without touching the page body', async ({ probePage: page }) => {
  const bodies = await page.evaluate(async () => {
    const viaFetch = await (await fetch('/api/v2/users/me')).json();
    const viaXhr = await new Promise<unknown>((resolve) => {
      const x = new XMLHttpRequest();
      x.responseType = 'json';
      x.onload = () => resolve(x.response);
      x.open('GET', '/api/v2/users/me?expand=org');
      x.send();
    });
    return [viaFetch, viaXhr];
  });
  expect(bodies[0]).toMatchObject({ id: 'agent-7', email: 'ada@example.test' });
  expect(bodies[1]).toEqual(bodies[0]);
  await expect.poll(async () => (await observations(page, 'identity')).length).toBe(2);
  for (const id of await observations(page, 'identity')) {
    expect(id).toEqual({ type: 'identity', at: expect.any(Number), userId: 'agent-7', name: 'Ada Agent', orgId: 'org-a' });
  }
});

test('WebSocket: open, throttled activity, clean close and abnormal 1006 close', async ({ probePage: page, fixtureServer: server }) => {
  await page.evaluate(
    (wsOrigin) =>
      new Promise<void>((resolve) => {
        const ws = new WebSocket(`${wsOrigin}/ws?burst=25`, 'chat');
        let n = 0;
        ws.onmessage = () => {
          n += 1;
          if (n === 25) setTimeout(() => ws.send('close:4001:bye'), 1200);
        };
        ws.onclose = () => resolve();
      }),
    server.wsOrigin,
  );
  const opens = await observations(page, 'ws-open');
  expect(opens).toEqual([
    { type: 'ws-open', at: expect.any(Number), socketId: expect.any(String), url: `${server.wsOrigin}/ws?burst=25`, protocol: 'chat' },
  ]);
  const socketId = opens[0]?.socketId;
  const activity = await observations(page, 'ws-activity');
  // 25 messages in a burst: one report at once, one a second later at most, the total right.
  expect(activity.length).toBeGreaterThanOrEqual(1);
  expect(activity.length).toBeLessThanOrEqual(2);
  expect(activity.at(-1)).toMatchObject({ socketId, messagesIn: 25 });
  const closes = await observations(page, 'ws-close');
  expect(closes).toEqual([
    {
      type: 'ws-close',
      at: expect.any(Number),
      socketId,
      url: `${server.wsOrigin}/ws?burst=25`,
      code: 4001,
      reason: 'bye',
      wasClean: true,
    },
  ]);

  await page.evaluate(
    (wsOrigin) =>
      new Promise<void>((resolve) => {
        const ws = new WebSocket(`${wsOrigin}/ws`);
        ws.onopen = () => ws.send('drop');
        ws.onclose = () => resolve();
      }),
    server.wsOrigin,
  );
  await expect.poll(async () => (await observations(page, 'ws-close')).length).toBe(2);
  expect((await observations(page, 'ws-close'))[1]).toMatchObject({ code: 1006, wasClean: false });
});

test('media: permission, getUserMedia outcomes, peer connection states and stats from a loopback call', async ({
  context,
  probePage: page,
  fixtureServer: server,
}) => {
  await expect.poll(async () => (await observations(page, 'media-permission')).map((o) => o.state)).toEqual(['granted']);
  const call = await page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const failed = await navigator.mediaDevices.getUserMedia({ video: { deviceId: { exact: 'no-such-camera' } } }).then(
      () => 'resolved',
      (e: Error) => e.name,
    );
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    a.onicecandidate = (e) => e.candidate && void b.addIceCandidate(e.candidate);
    b.onicecandidate = (e) => e.candidate && void a.addIceCandidate(e.candidate);
    const pageHandler: string[] = [];
    a.onconnectionstatechange = () => pageHandler.push(a.connectionState);
    for (const t of stream.getAudioTracks()) a.addTrack(t, stream);
    b.ontrack = (e) => {
      const audio = new Audio();
      audio.srcObject = e.streams[0] ?? null;
    };
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription as RTCSessionDescriptionInit);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription as RTCSessionDescriptionInit);
    await new Promise<void>((resolve) => {
      const check = () => (a.connectionState === 'connected' ? resolve() : setTimeout(check, 50));
      check();
    });
    (window as unknown as { call: unknown }).call = { a, b, stream, pageHandler };
    return { failed };
  });
  expect(call.failed).toBe('OverconstrainedError');
  const gum = await observations(page, 'gum');
  expect(gum.map((g) => [g.ok, g.audio, g.video, g.errorName])).toEqual([
    [true, true, false, undefined],
    [false, false, true, 'OverconstrainedError'],
  ]);

  // Stats while connected (every 5th one-second poll of a good call): bytes flowing, RTT/jitter/loss known, MOS in range.
  await expect
    .poll(
      async () => {
        const stats = await observations(page, 'pc-stats');
        return stats.filter((s) => (s.inboundAudioBytes as number) > 0 && s.mos !== null).length;
      },
      { timeout: 20_000 },
    )
    .toBeGreaterThanOrEqual(2);
  const states = await observations(page, 'pc-state');
  const pcIds = [...new Set(states.map((s) => s.pcId))];
  expect(pcIds).toHaveLength(2);
  expect(states.filter((s) => s.connectionState === 'connected').length).toBeGreaterThanOrEqual(2);
  const good = (await observations(page, 'pc-stats')).find((s) => (s.inboundAudioBytes as number) > 0 && s.mos !== null) as Obs;
  expect(good.rttMs).toEqual(expect.any(Number));
  expect(good.jitterMs).toEqual(expect.any(Number));
  expect(good.packetLossPct).toEqual(expect.any(Number));
  expect(good.mos as number).toBeGreaterThanOrEqual(1);
  expect(good.mos as number).toBeLessThanOrEqual(4.5);

  // close() fires no state event, yet the probe reports it and stops polling.
  const handler = await page.evaluate(() => {
    const c = (window as unknown as { call: { a: RTCPeerConnection; b: RTCPeerConnection; pageHandler: string[] } }).call;
    c.a.close();
    c.b.close();
    return c.pageHandler;
  });
  expect(handler).toContain('connected');
  await expect.poll(async () => (await observations(page, 'pc-state')).filter((s) => s.connectionState === 'closed').length).toBe(2);
  const statsAtClose = (await observations(page, 'pc-stats')).length;
  await page.waitForTimeout(2500);
  expect((await observations(page, 'pc-stats')).length).toBe(statsAtClose);

  // Revoking the permission ends the live capture track (the page's stop() would not).
  const cdp = await context.newCDPSession(page);
  await cdp.send('Browser.setPermission', { permission: { name: 'microphone' }, setting: 'denied', origin: server.origin });
  await expect.poll(async () => (await observations(page, 'media-permission')).map((o) => o.state)).toEqual(['granted', 'denied']);
  await expect.poll(async () => (await observations(page, 'track-ended')).map((o) => o.kind)).toEqual(['audio']);
  await cdp.send('Browser.setPermission', { permission: { name: 'microphone' }, setting: 'granted', origin: server.origin });
});
