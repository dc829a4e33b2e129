/**
 * Seed 002, org switch: when an identity response names another org than the document's
 * previous identity, the probe closes the previous org's sockets and peer connections before
 * the page's code sees that response, and posts `org-switch` with the counts. A socket opened
 * with the new identity's token stays; the first identity and the same org again change
 * nothing; a slow identity body holds the page about a second at most and stays readable.
 */
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import { DEFAULT_PROBE_CONFIG } from '../../extension/page/default-config';
import { command, observations } from './fixtures/probe/harness';
import type { Obs } from './fixtures/probe/harness';
import type { SessionServer } from './fixtures/probe/session-server';

// One browser for the file; a fresh fixture page (and server) per test.
test.use({ shareBrowser: true });
// The session server's pages, one per test.
test.use({ probeOrigin: async ({ sessionServer }, use) => use(sessionServer.origin) });

// WebSocket.readyState
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** What sessions.js puts on the page. */
type Fixture = {
  log: { name: string; via: string; type: string; code?: number; reason?: string; wasClean?: boolean }[];
  sockets: Record<string, WebSocket>;
  openSocket(name: string, url: string): Promise<WebSocket>;
  loopbackPair(): Promise<[RTCPeerConnection, RTCPeerConnection]>;
  socketStates(): Record<string, number>;
};
type FixtureWindow = Window & { fixture: Fixture; pcs: RTCPeerConnection[] };

/** Opens org A's session: identity (fetch, Bearer org-a.t1), two sockets and a loopback pair. */
async function startOrgA(p: Page, server: SessionServer): Promise<void> {
  await p.evaluate(async (wsOrigin) => {
    const w = window as unknown as FixtureWindow;
    const me = (await (await fetch('/api/v2/users/me', { headers: { Authorization: 'Bearer org-a.t1' } })).json()) as {
      organization: { id: string };
    };
    if (me.organization.id !== 'org-a') throw new Error('fixture: expected org-a');
    await w.fixture.openSocket('a1', `${wsOrigin}/ws?access_token=org-a.t1`);
    await w.fixture.openSocket('a2', `${wsOrigin}/ws?client=2&access_token=org-a.t1`);
    w.pcs = await w.fixture.loopbackPair();
  }, server.wsOrigin);
  await expect.poll(async () => (await observations(p, 'identity')).length).toBe(1);
  await expect.poll(async () => (await observations(p, 'ws-open')).length).toBe(2);
}

/** The socket ids the probe gave, by URL. */
async function socketIds(p: Page): Promise<Map<string, string>> {
  return new Map((await observations(p, 'ws-open')).map((o) => [o.url as string, o.socketId as string]));
}

test('fetch: org A → org B tears A down before the page sees the response; B’s own socket stays', async ({
  probePage: page,
  sessionServer: server,
}) => {
  await startOrgA(page, server);
  const seen = await page.evaluate(async (wsOrigin) => {
    const w = window as unknown as FixtureWindow;
    // The app already opened its org-B socket (token from its own sign-in) before asking who it is.
    await w.fixture.openSocket('b1', `${wsOrigin}/ws?access_token=org-b.t2`);
    const res = await fetch('/api/v2/users/me', { headers: { Authorization: 'Bearer org-b.t2' } });
    // The first thing the page's code can do with the org-B response.
    const atResponse = {
      sockets: w.fixture.socketStates(),
      pcs: w.pcs.map((pc) => [pc.signalingState, pc.connectionState]),
    };
    const body = (await res.json()) as { organization: { id: string } };
    return { atResponse, org: body.organization.id };
  }, server.wsOrigin);

  expect(seen.org).toBe('org-b');
  expect([CLOSING, CLOSED]).toContain(seen.atResponse.sockets.a1);
  expect([CLOSING, CLOSED]).toContain(seen.atResponse.sockets.a2);
  expect(seen.atResponse.sockets.b1).toBe(OPEN);
  expect(seen.atResponse.pcs).toEqual([
    ['closed', 'closed'],
    ['closed', 'closed'],
  ]);

  await expect.poll(async () => (await observations(page, 'org-switch')).length).toBe(1);
  const [orgSwitch] = await observations(page, 'org-switch');
  expect(orgSwitch).toEqual({
    type: 'org-switch',
    at: expect.any(Number),
    fromOrgId: 'org-a',
    toOrgId: 'org-b',
    closedSockets: 2,
    closedPeerConnections: 2,
  });

  // The probe's observations: identity B, the pcs closed, org-switch, then the sockets' closes.
  const ids = await socketIds(page);
  const a1 = ids.get(`${server.wsOrigin}/ws?access_token=org-a.t1`);
  const a2 = ids.get(`${server.wsOrigin}/ws?client=2&access_token=org-a.t1`);
  await expect.poll(async () => (await observations(page, 'ws-close')).length).toBe(2);
  const closes = await observations(page, 'ws-close');
  expect(closes.map((c) => c.socketId).sort()).toEqual([a1, a2].sort());
  for (const c of closes) {
    expect(c).toMatchObject({ code: 1000, reason: 'Organization switched', wasClean: true, closedBy: 'org-switch' });
  }
  const closedPcs = (await observations(page, 'pc-state')).filter((s) => s.connectionState === 'closed');
  expect(closedPcs).toHaveLength(2);
  const all = await observations(page);
  const at = (pred: (o: Obs) => boolean): number => all.findIndex(pred);
  const identityB = at((o) => o.type === 'identity' && o.orgId === 'org-b');
  const switched = at((o) => o.type === 'org-switch');
  expect(identityB).toBeGreaterThan(-1);
  expect(identityB).toBeLessThan(switched);
  expect(at((o) => o.type === 'pc-state' && o.connectionState === 'closed')).toBeLessThan(switched);
  expect(at((o) => o.type === 'ws-close')).toBeGreaterThan(switched);

  // The app learns its old sockets closed normally (1000), once each; the server got the Close frames.
  await expect.poll(() => page.evaluate(() => (window as unknown as FixtureWindow).fixture.log.length)).toBe(4);
  const log = await page.evaluate(() => (window as unknown as FixtureWindow).fixture.log);
  expect(log.map((e) => [e.name, e.via, e.code, e.reason]).sort()).toEqual([
    ['a1', 'listener', 1000, 'Organization switched'],
    ['a1', 'onclose', 1000, 'Organization switched'],
    ['a2', 'listener', 1000, 'Organization switched'],
    ['a2', 'onclose', 1000, 'Organization switched'],
  ]);
  const fromA = server.sockets.filter((s) => s.token === 'org-a.t1');
  await expect
    .poll(() => fromA.map((s) => s.closedWith))
    .toEqual([
      { code: 1000, reason: 'Organization switched' },
      { code: 1000, reason: 'Organization switched' },
    ]);
  expect(server.sockets.find((s) => s.token === 'org-b.t2')?.closedWith).toBeNull();
});

test('XHR: org A → org B is torn down before the page’s DONE handlers run (access_token request)', async ({
  probePage: page,
  sessionServer: server,
}) => {
  await startOrgA(page, server);
  const seen = await page.evaluate(
    () =>
      new Promise<{ onDone: Record<string, number>; onLoad: Record<string, number>; pcs: string[]; org: string }>((resolve) => {
        const w = window as unknown as FixtureWindow;
        const x = new XMLHttpRequest();
        let onDone: Record<string, number> = {};
        x.onreadystatechange = () => {
          if (x.readyState === 4) onDone = w.fixture.socketStates();
        };
        x.onload = () =>
          resolve({
            onDone,
            onLoad: w.fixture.socketStates(),
            pcs: w.pcs.map((pc) => pc.signalingState),
            org: (JSON.parse(x.responseText) as { organization: { id: string } }).organization.id,
          });
        x.open('GET', '/api/v2/users/me?access_token=org-b.t5');
        x.send();
      }),
  );
  expect(seen.org).toBe('org-b');
  for (const states of [seen.onDone, seen.onLoad]) {
    expect([CLOSING, CLOSED]).toContain(states.a1);
    expect([CLOSING, CLOSED]).toContain(states.a2);
  }
  expect(seen.pcs).toEqual(['closed', 'closed']);
  await expect.poll(async () => (await observations(page, 'org-switch')).length).toBe(1);
  expect((await observations(page, 'org-switch'))[0]).toMatchObject({
    fromOrgId: 'org-a',
    toOrgId: 'org-b',
    closedSockets: 2,
    closedPeerConnections: 2,
  });
  await expect.poll(async () => (await observations(page, 'ws-close')).map((c) => c.closedBy)).toEqual(['org-switch', 'org-switch']);
  expect(server.identityTokens.at(-1)).toBe('org-b.t5');
});

test('the first identity and the same org again change nothing', async ({ probePage: page, sessionServer: server }) => {
  const before = await page.evaluate(async (wsOrigin) => {
    const w = window as unknown as FixtureWindow;
    // Sessions exist before the document's first identity: that one is not a switch.
    await w.fixture.openSocket('a1', `${wsOrigin}/ws?access_token=org-a.t1`);
    w.pcs = await w.fixture.loopbackPair();
    await (await fetch('/api/v2/users/me', { headers: { Authorization: 'Bearer org-a.t1' } })).json();
    // Same org, another token (a refreshed one), by fetch and by XHR.
    await (await fetch('/api/v2/users/me', { headers: { Authorization: 'Bearer org-a.t7' } })).json();
    await new Promise<void>((resolve) => {
      const x = new XMLHttpRequest();
      x.onloadend = () => resolve();
      x.open('GET', '/api/v2/users/me');
      x.setRequestHeader('Authorization', 'Bearer org-a.t8');
      x.send();
    });
    return { sockets: w.fixture.socketStates(), pcs: w.pcs.map((pc) => pc.connectionState) };
  }, server.wsOrigin);
  expect(before).toEqual({ sockets: { a1: OPEN }, pcs: ['connected', 'connected'] });
  await expect.poll(async () => (await observations(page, 'identity')).map((o) => o.orgId)).toEqual(['org-a', 'org-a', 'org-a']);
  await page.waitForTimeout(500);
  expect(await observations(page, 'org-switch')).toEqual([]);
  expect(await observations(page, 'ws-close')).toEqual([]);
  expect((await observations(page, 'pc-state')).filter((s) => s.connectionState === 'closed')).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as FixtureWindow).fixture.log)).toEqual([]);
  await page.evaluate(() => (window as unknown as FixtureWindow).pcs.forEach((pc) => pc.close()));
});

test('a slow identity body: the page waits for it (bounded to about a second) and can still read it', async ({
  probePage: page,
  sessionServer: server,
}) => {
  await startOrgA(page, server);
  // Body 300 ms after the headers: the page's fetch resolves only once it was read and A torn down.
  const quick = await page.evaluate(async () => {
    const w = window as unknown as FixtureWindow;
    const t0 = performance.now();
    const res = await fetch('/api/v2/users/me?bodyDelay=300', { headers: { Authorization: 'Bearer org-b.t2' } });
    const waited = performance.now() - t0;
    const states = w.fixture.socketStates();
    const body = (await res.json()) as { organization: { id: string } };
    return { waited, states, org: body.organization.id };
  });
  expect(quick.waited).toBeGreaterThanOrEqual(280);
  expect([CLOSING, CLOSED]).toContain(quick.states.a1);
  expect(quick.org).toBe('org-b');
  await expect.poll(async () => (await observations(page, 'org-switch')).length).toBe(1);

  // Body 2.5 s after the headers, switching back to A: the page gets the response after ~1 s,
  // reads the body itself in full, and the teardown follows when the body arrived.
  const slow = await page.evaluate(async (wsOrigin) => {
    const w = window as unknown as FixtureWindow;
    await w.fixture.openSocket('b2', `${wsOrigin}/ws?access_token=org-b.t2`);
    const t0 = performance.now();
    const res = await fetch('/api/v2/users/me?bodyDelay=2500', { headers: { Authorization: 'Bearer org-a.t3' } });
    const waited = performance.now() - t0;
    const stateAtResponse = w.fixture.sockets.b2?.readyState;
    const text = await res.text();
    return { waited, stateAtResponse, body: JSON.parse(text) as { organization: { id: string } }, total: performance.now() - t0 };
  }, server.wsOrigin);
  expect(slow.waited).toBeGreaterThanOrEqual(900);
  expect(slow.waited).toBeLessThan(2000);
  expect(slow.stateAtResponse).toBe(OPEN);
  expect(slow.body.organization.id).toBe('org-a');
  expect(slow.total).toBeGreaterThanOrEqual(2400);
  await expect
    .poll(async () => (await observations(page, 'org-switch')).map((o) => [o.fromOrgId, o.toOrgId, o.closedSockets]))
    .toEqual([
      ['org-a', 'org-b', 2],
      ['org-b', 'org-a', 1],
    ]);
  await expect.poll(() => page.evaluate(() => (window as unknown as FixtureWindow).fixture.socketStates().b2)).toBe(CLOSED);
});

test('an identity request outside the protected patterns (no retry copy) is held the same way', async ({
  probePage: page,
  sessionServer: server,
}) => {
  // Wait for the worker's own config, then replace it: nothing is protected.
  await expect
    .poll(() =>
      page.evaluate(() =>
        (window as unknown as { __sg: { envelopes: { dir: string; msg: { type?: string } }[] } }).__sg.envelopes.some(
          (e) => e.dir === 'to-page' && e.msg.type === 'config',
        ),
      ),
    )
    .toBe(true);
  await command(page, { ...DEFAULT_PROBE_CONFIG, protectedRequestPatterns: [] });
  await startOrgA(page, server);
  const seen = await page.evaluate(async () => {
    const w = window as unknown as FixtureWindow;
    const t0 = performance.now();
    const res = await fetch('/api/v2/users/me?bodyDelay=300', { headers: { Authorization: 'Bearer org-b.t2' } });
    const waited = performance.now() - t0;
    const states = w.fixture.socketStates();
    const pcs = w.pcs.map((pc) => pc.signalingState);
    const body = (await res.json()) as { organization: { id: string } };
    return { waited, states, pcs, org: body.organization.id };
  });
  expect(seen.waited).toBeGreaterThanOrEqual(280);
  expect([CLOSING, CLOSED]).toContain(seen.states.a1);
  expect([CLOSING, CLOSED]).toContain(seen.states.a2);
  expect(seen.pcs).toEqual(['closed', 'closed']);
  expect(seen.org).toBe('org-b');
  await expect.poll(async () => (await observations(page, 'org-switch')).length).toBe(1);
  // Not protected: only the identity exchanges are reported, never a retry.
  expect(await observations(page, 'http-retry')).toEqual([]);
});
