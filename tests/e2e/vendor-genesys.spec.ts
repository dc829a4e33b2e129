/**
 * The Genesys Cloud vendor lab (tests/lab/README.md "Vendor labs: Genesys Cloud"): Genesys's
 * own published client, genesys-cloud-streaming-client 19.4.1 (its browser build, unmodified),
 * connected over XMPP/WebSocket to the lab's back end with a token from the lab's OAuth
 * sign-in. Each test prints one line of figures: `[vendor-genesys] <scenario>: …`.
 *
 * Without the extension, what the client does by itself (src/client.ts, GitHub commit
 * aa266dfbcfc5d7d5aaf8df3ea8e0e3b8b82a1b51):
 * - a publish storm (tokens revoked, streams dropped 1006): it reconnects on the same channel
 *   2 s later (INITIAL_DELAY), its SASL `<auth>` carries the revoked token, `<not-authorized/>`
 *   is not retryable (`saslErrorIsRetryable`): it never tries again and stays disconnected;
 * - a silent revoke (`genesys-silent-revoke`: tokens revoked, the stream ended with a clean
 *   RFC 7395 `<close/>` and close 1000, no 1006): the same — the SASL failure reaches the app
 *   and the client does not reconnect. Its log upload meets the 401 first;
 * - a silent stall: the client's own 35 s stanza timeout (src/server-monitor.ts) ends the
 *   stream and it reconnects with its still valid token;
 * - a channel expiry (`no_longer_subscribed`, then the stream ends): it reconnects on a new
 *   channel (src/client.ts handleNoLongerSubscribed).
 *
 * With the extension, configured as a customer would (profile `genesys-cloud`, the lab's
 * page, its refresh endpoint, the lab's API and streaming origins as the token audience): the
 * client reports itself connected again without a reload, and the app never saw a SASL failure.
 *
 * The first test checks the back end alone (no browser): SASL PLAIN retries on one stream as
 * RFC 6120 §6.4.5 allows them, which the extension's SASL retry relies on.
 */
import { request } from 'node:http';
import WebSocket from 'ws';
import { rmSync } from 'node:fs';
import { test, expect } from './support/fixture';
import type { FileScope } from './support/fixture';
import type { BrowserContext, Page, TestInfo } from '@playwright/test';
import { TLS_BROWSER_ARGS } from '../lab/server.mjs';
import { labPost, launchBrowser } from './support/softphone';
import type { Lab } from './support/softphone';
import {
  GENESYS_BROWSER_ARGS,
  GENESYS_HOSTS,
  connectedAgain,
  refusalsSince,
  genesysStats,
  openGenesys,
  saslFailureSeen,
  secondsSince,
  sleep,
  vendorState,
} from './support/vendor-genesys';

/**
 * How a customer configures the extension for a Genesys Cloud softphone: the profile, their page,
 * and what differs from the profile's regions — here the lab's: its API host (protected requests),
 * its refresh endpoint, and its API and streaming origins as the token audience.
 */
const GENESYS_USER_CONFIG = {
  profile: 'genesys-cloud',
  softphoneUrlPatterns: ['https://softphone.test/vendors/genesys/*'],
  protectedRequestPatterns: [`https://${GENESYS_HOSTS.api}/api/v2/*`],
  tokenRefresh: {
    strategy: 'cookie-endpoint',
    refreshUrl: '/api/v2/authentication/refresh',
    audience: [`https://${GENESYS_HOSTS.api}`, `https://${GENESYS_HOSTS.streaming}`],
  },
};

// One browser with the extension for the whole file (`shareBrowser`), and one without (plainBrowser); each test has its own lab.
test.use({ labOptions: { tls: true }, browserArgs: [...GENESYS_BROWSER_ARGS], userConfig: GENESYS_USER_CONFIG, shareBrowser: true });

/** The browsers this test opened a page in: a shared browser keeps its tabs, so they are closed after the test. */
const usedBrowsers = new Set<BrowserContext>();

test.afterEach(async () => {
  for (const c of usedBrowsers) await Promise.all(c.pages().map((p) => p.close()));
  usedBrowsers.clear();
});

/** openGenesys, the page closed after the test. */
function openIn(context: BrowserContext, lab: Lab, user?: string, query?: string): Promise<Page> {
  usedBrowsers.add(context);
  return openGenesys(context, lab, user, query);
}

/** One line of figures, printed and attached to the report. */
function figures(testInfo: TestInfo, line: string): void {
  console.log(`[vendor-genesys] ${line}`);
  testInfo.annotations.push({ type: 'figures', description: line });
}

/** A browser without the extension, on the lab's sites: one for every test of the file. */
async function plainBrowser(fileScope: FileScope, testInfo: TestInfo): Promise<BrowserContext> {
  const launched = await fileScope.get(
    testInfo,
    'plain browser',
    () => launchBrowser({ withExtension: false, args: [...TLS_BROWSER_ARGS, ...GENESYS_BROWSER_ARGS] }),
    async (b) => {
      await b.context.close();
      rmSync(b.userDataDir, { recursive: true, force: true });
    },
  );
  return launched.context;
}

/** Injects a fault; answers its result and the time it was injected. */
async function inject(lab: Lab, fault: string, body: object = {}): Promise<{ at: number; result: Record<string, unknown> }> {
  const at = Date.now();
  const result = (await labPost(lab, `/lab/fault/${fault}`, body)) as Record<string, unknown>;
  return { at, result };
}

/** Without the extension: the client gave up — nothing more for `ms`, still disconnected, no new stream. */
async function stillGivenUp(lab: Lab, page: Page, refusedAt: number, ms: number): Promise<void> {
  await sleep(ms);
  const s = await vendorState(page);
  expect(s.connected, 'connected again').toBe(false);
  expect(s.phase).toBe('failed');
  const st = await genesysStats(lab);
  expect(st.streamsReady, 'authenticated streams').toBe(0);
  expect(
    st.streamEvents.filter((e) => e.event === 'opened' && e.at > refusedAt + 500),
    'streams opened after the refusal',
  ).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// The back end alone: RFC 6120 §6.4.5 retries, through the lab's plain-HTTP side of the port.

/** A request to one of the lab's host names over plain HTTP on loopback (routing is by `Host`). */
function hostRequest(lab: Lab, host: string, method: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; cookies: string[] }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: lab.port, method, path, headers: { host: `${host}:${lab.port}`, ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cookies: res.headers['set-cookie'] ?? [] }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** An access token of agent-1 from the lab's session sign-in (`/login`, then `GET /auth/authorize`). */
async function labToken(lab: Lab): Promise<string> {
  const login = await hostRequest(lab, 'softphone.test', 'GET', '/login?user=agent-1&return=/');
  const session = login.cookies.map((c) => c.split(';')[0]).find((c) => c?.startsWith('lab_session='));
  const auth = await hostRequest(lab, 'softphone.test', 'GET', '/auth/authorize', { cookie: session ?? '' });
  return (JSON.parse(auth.body) as { accessToken: string }).accessToken;
}

/** An XMPP stream to the lab: frames in order, and a wait for the next one matching. */
async function openStream(lab: Lab, channelId: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${lab.port}/stream/channels/${channelId}`, 'xmpp', {
    headers: { host: `${GENESYS_HOSTS.streaming}:${lab.port}` },
  });
  const frames: string[] = [];
  let read = 0;
  let closeCode: number | null = null;
  ws.on('message', (d) => frames.push(String(d)));
  ws.on('close', (code) => (closeCode = code));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  expect(ws.protocol).toBe('xmpp');
  const next = async (match: RegExp): Promise<string> => {
    const until = Date.now() + 5000;
    while (Date.now() < until) {
      while (read < frames.length) {
        const f = frames[read++] ?? '';
        if (match.test(f)) return f;
      }
      await sleep(20);
    }
    throw new Error(`no frame matching ${match} (got ${frames.slice(-3).join(' | ')})`);
  };
  const plain = (token: string) => Buffer.from(`\0agent-1@org-a.orgspan.genesys.test\0authKey:${token}`).toString('base64');
  const auth = (token: string) => ws.send(`<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">${plain(token)}</auth>`);
  const open = () => ws.send('<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="org-a.orgspan.genesys.test" version="1.0"/>');
  return { ws, next, auth, open, closeCode: () => closeCode };
}

test('back end: SASL PLAIN authKey: is checked against the token store, with retries on the same stream (RFC 6120 §6.4.5)', async ({
  lab,
}) => {
  const revoked = await labToken(lab);
  const channel = await hostRequest(lab, GENESYS_HOSTS.api, 'POST', '/api/v2/notifications/channels?connectionType=streaming', {
    authorization: `Bearer ${revoked}`,
  });
  expect(channel.status).toBe(200);
  const channelId = (JSON.parse(channel.body) as { id: string }).id;
  await labPost(lab, '/lab/fault/token-revoke');
  const me401 = await hostRequest(lab, GENESYS_HOSTS.api, 'GET', '/api/v2/users/me', { authorization: `Bearer ${revoked}` });
  expect(me401.status, 'users/me with the revoked token').toBe(401);
  const fresh = await labToken(lab);

  // Two refusals, then the fresh token on the same stream: success, restart, bind.
  const a = await openStream(lab, channelId);
  a.open();
  await a.next(/<open /);
  await a.next(/<mechanism>PLAIN<\/mechanism>/);
  a.auth(revoked);
  await a.next(/<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><not-authorized\/><\/failure>/);
  a.auth(revoked);
  await a.next(/<not-authorized\/>/);
  a.auth(fresh);
  await a.next(/<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"\/>/);
  a.open();
  await a.next(/<bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"\/>/);
  a.ws.send(
    '<iq xmlns="jabber:client" type="set" id="b1"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><resource>r1</resource></bind></iq>',
  );
  expect(await a.next(/id="b1"/)).toContain('<jid>agent-1@org-a.orgspan.genesys.test/r1</jid>');
  a.ws.send('<iq xmlns="jabber:client" type="get" id="p1"><ping xmlns="urn:xmpp:ping"/></iq>');
  expect(await a.next(/id="p1"/)).toContain('type="result"');
  a.ws.close(1000);

  // Past SASL_RETRIES (3) retries: the fourth failure closes the stream with <policy-violation/>.
  const b = await openStream(lab, channelId);
  b.open();
  await b.next(/<mechanism>PLAIN<\/mechanism>/);
  for (let i = 0; i < 4; i++) {
    b.auth(revoked);
    await b.next(/<not-authorized\/>/);
  }
  await b.next(/<policy-violation /);
  await b.next(/<close xmlns="urn:ietf:params:xml:ns:xmpp-framing"\/>/);
  await expect.poll(() => b.closeCode(), { timeout: 5000 }).toBe(1000);

  const st = await genesysStats(lab);
  expect(st.saslFailures).toBe(6);
  expect(st.saslSuccesses).toBe(1);
});

// ---------------------------------------------------------------------------------------------
// Without the extension.

test('without the extension: after a publish storm the client gets SASL not-authorized and never reconnects', async ({
  lab,
  fileScope,
}, testInfo) => {
  test.setTimeout(90_000);
  const page = await openIn(await plainBrowser(fileScope, testInfo), lab);
  await sleep(1500);
  const { at, result } = await inject(lab, 'publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  expect(result.revokedTokens).toBeGreaterThanOrEqual(1);
  expect(result.terminatedSockets).toBeGreaterThanOrEqual(1);

  const sasl = await saslFailureSeen(page, at);
  expect(sasl.condition).toBe('not-authorized');
  const s = await vendorState(page);
  const st = await genesysStats(lab);
  expect(
    st.streamEvents.some((e) => e.at >= at && e.event === 'closed 1006'),
    'the stream dropped without a close frame',
  ).toBe(true);
  await stillGivenUp(lab, page, at + sasl.after * 1000, 15_000);
  figures(
    testInfo,
    `publish-storm without: disconnected +${secondsSince(at, s.disconnectedAt ?? at)} s (1006), SASL not-authorized reached the app +${sasl.after} s, ` +
      `refusals: ${await refusalsSince(lab, at)}, still disconnected +${secondsSince(at)} s, no new stream`,
  );
});

test('without the extension: after a silent revoke (clean stream end, then a refused auth) the client gets SASL not-authorized and never reconnects', async ({
  lab,
  fileScope,
}, testInfo) => {
  test.setTimeout(90_000);
  const page = await openIn(await plainBrowser(fileScope, testInfo), lab);
  await sleep(1500);
  const { at, result } = await inject(lab, 'genesys-silent-revoke');
  expect(result.revokedTokens).toBeGreaterThanOrEqual(1);
  expect(result.endedStreams).toBe(1);

  const sasl = await saslFailureSeen(page, at);
  expect(sasl.condition).toBe('not-authorized');
  const s = await vendorState(page);
  const st = await genesysStats(lab);
  const closes = st.streamEvents.filter((e) => e.at >= at && e.event.startsWith('closed'));
  expect(closes[0]?.event, 'the first stream end: a clean close').toBe('closed 1000');
  expect(
    closes.some((e) => e.event === 'closed 1006'),
    'no 1006',
  ).toBe(false);
  const refusals = st.refusals.filter((r) => r.at >= at);
  expect(refusals.some((r) => r.kind === 'sasl')).toBe(true);
  await stillGivenUp(lab, page, at + sasl.after * 1000, 15_000);
  figures(
    testInfo,
    `genesys-silent-revoke without: stream ended (close 1000) +${secondsSince(at, s.disconnectedAt ?? at)} s, refusals: ${await refusalsSince(lab, at)}, ` +
      `SASL not-authorized reached the app +${sasl.after} s, still disconnected +${secondsSince(at)} s, no new stream`,
  );
});

test('without the extension: a silent stall is ended by the client itself (35 s stanza timeout) and it reconnects', async ({
  lab,
  fileScope,
}, testInfo) => {
  test.setTimeout(120_000);
  const page = await openIn(await plainBrowser(fileScope, testInfo), lab);
  await sleep(1500);
  const { at, result } = await inject(lab, 'silent-stall', { durationMs: 120_000 });
  expect(result.stalledSockets).toBeGreaterThanOrEqual(1);
  const after = await connectedAgain(page, at, 60_000);
  const s = await vendorState(page);
  expect(s.logs.some((l) => l.at > at && /Time between XMPP stanzas exceeded timeout/.test(l.message))).toBe(true);
  expect(s.saslFailures).toBe(0);
  expect(after).toBeGreaterThan(25);
  figures(
    testInfo,
    `silent-stall without: the client ended the stream itself +${secondsSince(at, s.disconnectedAt ?? at)} s (its 35 s timeout counts from the last stanza it received), ` +
      `connected again +${after} s with its still valid token, SASL failures 0, no reload`,
  );
});

test('without the extension: a channel expiry (no_longer_subscribed, then the stream ends) is handled by the client itself on a new channel', async ({
  lab,
  fileScope,
}, testInfo) => {
  test.setTimeout(60_000);
  const page = await openIn(await plainBrowser(fileScope, testInfo), lab);
  await sleep(1500);
  const channelsBefore = (await genesysStats(lab)).channels;
  const { at, result } = await inject(lab, 'genesys-channel-expiry');
  expect(result.notifiedStreams).toBe(1);
  const after = await connectedAgain(page, at, 30_000);
  const s = await vendorState(page);
  expect(s.events.some((e) => e.at >= at && e.name === 'notify:no_longer_subscribed')).toBe(true);
  expect((await genesysStats(lab)).channels, 'a new channel').toBe(channelsBefore + 1);
  expect(s.saslFailures).toBe(0);
  figures(testInfo, `genesys-channel-expiry without: the client asked for a new channel and is connected again +${after} s, no reload`);
});

// ---------------------------------------------------------------------------------------------
// With the extension.

test('with the extension: after a publish storm the client is connected again without a reload and the app saw no SASL failure', async ({
  lab,
  context,
}, testInfo) => {
  test.setTimeout(90_000);
  const page = await openIn(context, lab);
  const before = await vendorState(page);
  await sleep(1500);
  const { at } = await inject(lab, 'publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  const after = await connectedAgain(page, at, 45_000);
  await sleep(3000);
  const s = await vendorState(page);
  expect(s.saslFailures, 'SASL failures the app saw').toBe(0);
  expect(s.connected).toBe(true);
  expect(s.loadedAt, 'the same document: no reload').toBe(before.loadedAt);
  figures(
    testInfo,
    `publish-storm with: connected again +${after} s, SASL failures seen by the app 0, no reload; refusals at the lab (kept from the app): ${await refusalsSince(lab, at)}`,
  );
});

test('with the extension: after a silent revoke the client is connected again without a reload and the app saw no SASL failure', async ({
  lab,
  context,
}, testInfo) => {
  test.setTimeout(90_000);
  const page = await openIn(context, lab);
  const before = await vendorState(page);
  await sleep(1500);
  const { at } = await inject(lab, 'genesys-silent-revoke');
  const after = await connectedAgain(page, at, 45_000);
  await sleep(3000);
  const s = await vendorState(page);
  expect(s.saslFailures, 'SASL failures the app saw').toBe(0);
  expect(s.connected).toBe(true);
  expect(s.loadedAt, 'the same document: no reload').toBe(before.loadedAt);
  figures(
    testInfo,
    `genesys-silent-revoke with: connected again +${after} s, SASL failures seen by the app 0, no reload; refusals at the lab (kept from the app): ${await refusalsSince(lab, at)}`,
  );
});

// ---------------------------------------------------------------------------------------------
// Log uploads off (`?telemetry=off`): the SASL <auth> is the first request to carry the revoked token.

test('without the extension, log uploads off: after a silent revoke the SASL failure is the first sign and reaches the app', async ({
  lab,
  fileScope,
}, testInfo) => {
  test.setTimeout(90_000);
  const page = await openIn(await plainBrowser(fileScope, testInfo), lab, 'agent-1', '?telemetry=off');
  await sleep(1500);
  const { at } = await inject(lab, 'genesys-silent-revoke');
  const sasl = await saslFailureSeen(page, at);
  expect(sasl.condition).toBe('not-authorized');
  const refusals = (await genesysStats(lab)).refusals.filter((r) => r.at >= at);
  expect(refusals[0]?.kind, 'the first refusal').toBe('sasl');
  await stillGivenUp(lab, page, at + sasl.after * 1000, 10_000);
  figures(
    testInfo,
    `genesys-silent-revoke, log uploads off, without: refusals: ${await refusalsSince(lab, at)}; SASL not-authorized reached the app +${sasl.after} s, no reconnect`,
  );
});

test('with the extension, log uploads off: after a silent revoke the SASL failure is kept from the app, the stream authenticates with a fresh token', async ({
  lab,
  context,
}, testInfo) => {
  test.setTimeout(90_000);
  const page = await openIn(context, lab, 'agent-1', '?telemetry=off');
  const before = await vendorState(page);
  await sleep(1500);
  const { at } = await inject(lab, 'genesys-silent-revoke');
  const after = await connectedAgain(page, at, 45_000);
  await sleep(3000);
  const s = await vendorState(page);
  expect(s.saslFailures, 'SASL failures the app saw').toBe(0);
  expect(s.connected).toBe(true);
  expect(s.loadedAt, 'the same document: no reload').toBe(before.loadedAt);
  const st = await genesysStats(lab);
  figures(
    testInfo,
    `genesys-silent-revoke, log uploads off, with: connected again +${after} s, SASL failures seen by the app 0, no reload; ` +
      `refusals at the lab (kept from the app): ${await refusalsSince(lab, at)}; streams opened ${st.streamEvents.filter((e) => e.at >= at && e.event === 'opened').length}`,
  );
});
