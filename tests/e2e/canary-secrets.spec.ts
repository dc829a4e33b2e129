/**
 * Redaction end to end, in real Chromium with the built extension against the softphone lab:
 * canary secrets are planted in every path a secret takes through a softphone page —
 * `Authorization: Bearer` and `Cookie` request headers, `access_token` / `code` / `id_token`
 * query parameters (fetch and XHR), a WebSocket URL's `access_token`, a close reason carrying
 * a JWT, the identity response body the probe reads (`/api/v2/users/me`), and the ICE
 * candidate addresses of a real loopback call — and none of them, nor any secret the lab
 * issued (tokens, session ids), may turn up in IndexedDB (every database and store of the
 * extension), `storage.local` / `storage.session`, the worker's state answer, the export
 * bundle and summary, the OTLP telemetry a local collector receives, or the console of the
 * worker, the extension pages and the probe.
 *
 * Each path is also checked to have been *observed* (its redacted trace is in the store),
 * so the test cannot pass because nothing was recorded.
 */
import { expect, test } from './support/fixture';
import type { StoredEvent } from '../../src/protocol/ui';
import { ExportBundleSchema } from '../../src/export/bundle-schema';
import { captureConsole, collectPlaces, dumpIndexedDb, expectNoCanaries, jwtCanary, opaqueCanary } from './support/canaries';
import { acceptedLogs } from './support/otlp-receiver';
import {
  EXTENSION_ID,
  appStatus,
  extensionWorker,
  issuedSecrets,
  labPost,
  openAgent,
  openPopup,
  sessionOf,
  withLabPages,
} from './support/softphone';

const EXTENSION_ORIGIN = `chrome-extension://${EXTENSION_ID}/`;

const isLoopback = (ip: string): boolean => /^127\./.test(ip) || ip === '::1' || ip === 'localhost';

test('no canary secret reaches IndexedDB, extension storage, the export, telemetry or the console', async ({
  lab,
  context,
  otlpReceiver: receiver,
}) => {
  test.setTimeout(240_000);
  const consoleLines = captureConsole(context);
  const worker = await extensionWorker(context);
  // Fleet telemetry on, to a local OTLP/HTTP collector.
  await worker.evaluate(
    (userConfig) => chrome.storage.local.set({ userConfig }),
    withLabPages({ telemetry: { otlpEndpoint: receiver.url, exportIntervalSeconds: 2 } }),
  );

  // --- the canaries -------------------------------------------------------------------------
  const bearer = opaqueCanary('bearer');
  const cookie = opaqueCanary('cookie');
  const docCookie = opaqueCanary('doccookie');
  const accessToken = opaqueCanary('at');
  const code = opaqueCanary('code');
  const idToken = opaqueCanary('idt');
  const xhrBearer = opaqueCanary('xhrbearer');
  const xhrAccessToken = opaqueCanary('xhrat');
  const missingAccessToken = opaqueCanary('at404');
  const missingCode = opaqueCanary('code404');
  const missingIdToken = jwtCanary('idt404');
  const wsAccessToken = opaqueCanary('wsat');
  const reasonJwt = jwtCanary('reason');
  const identityJwt = jwtCanary('identity');
  const identityToken = opaqueCanary('identityat');
  const identityBearer = opaqueCanary('identitybearer');
  const planted = [
    bearer,
    cookie,
    docCookie,
    accessToken,
    code,
    idToken,
    xhrBearer,
    xhrAccessToken,
    missingAccessToken,
    missingCode,
    missingIdToken.token,
    ...missingIdToken.parts,
    wsAccessToken,
    reasonJwt.token,
    ...reasonJwt.parts,
    identityJwt.token,
    ...identityJwt.parts,
    identityToken,
    identityBearer,
  ];

  // Response bodies read for identity: the real `/api/v2/users/me` answer, with a JWT in the
  // name the probe reads and tokens in fields it must never look at.
  await context.route('**/api/v2/users/me', async (route) => {
    const response = await route.fetch();
    if (route.request().method() !== 'GET' || response.status() !== 200) return route.fulfill({ response });
    const me = (await response.json()) as { name: string; organization: { name: string } } & Record<string, unknown>;
    me.name = `${me.name} ${identityJwt.token}`;
    me.access_token = identityToken;
    me.organization.name = `${me.organization.name} Bearer ${identityBearer}`;
    return route.fulfill({ response, json: me });
  });

  const agent = await openAgent(context, lab, 'agent-1');
  const popup = await openPopup(context);
  await expect.poll(async () => (await sessionOf(popup, 'agent-1'))?.agent?.name ?? '', { timeout: 20_000 }).toMatch(/^Alex Rivera /);

  // --- ICE: a real call on loopback, and the candidate addresses this machine offers --------
  const ring = (await labPost(lab, '/lab/ring', { userId: 'agent-1' })) as { delivered: number };
  expect(ring.delivered).toBeGreaterThan(0);
  await expect.poll(async () => (await appStatus(agent)).call.state, { timeout: 20_000 }).toBe('ringing');
  await agent.evaluate(() => (window as unknown as { labSoftphone: { answer(): Promise<unknown> } }).labSoftphone.answer());
  const candidates = await agent.evaluate(async () => {
    // A second pair of peer connections in the same page, to read the candidates the
    // browser gathers here (the app keeps its own to itself).
    const seen: string[] = [];
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    a.onicecandidate = (e) => {
      if (e.candidate) {
        seen.push(e.candidate.candidate);
        void b.addIceCandidate(e.candidate);
      }
    };
    b.onicecandidate = (e) => {
      if (e.candidate) {
        seen.push(e.candidate.candidate);
        void a.addIceCandidate(e.candidate);
      }
    };
    a.createDataChannel('canary');
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription!);
    const end = Date.now() + 15_000;
    while (a.connectionState !== 'connected' && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    a.close();
    b.close();
    return seen;
  });
  // `candidate:<foundation> <component> <transport> <priority> <address> <port> typ …` (RFC 8839 §5.1).
  const candidateAddresses = [...new Set(candidates.map((c) => c.split(' ')[4] ?? '').filter(Boolean))];
  // Loopback addresses are left out: the lab's own URLs (http://127.0.0.1:PORT) carry them.
  const iceCanaries = candidateAddresses.filter((ip) => !isLoopback(ip));
  expect(iceCanaries, `candidates gathered: ${JSON.stringify(candidates)}`).not.toHaveLength(0);
  await expect.poll(async () => (await appStatus(agent)).call.state, { timeout: 20_000 }).toBe('connected');

  // --- headers, URLs, socket URLs, close reasons --------------------------------------------
  const outcome = await agent.evaluate(
    async (c) => {
      const origin = location.origin;
      document.cookie = `sg_canary=${c.docCookie}; path=/`;
      // fetch: bearer header, cookie header (the browser drops it; the probe sees it), and
      // every secret query parameter; protected, so the probe refreshes and retries it.
      const fetched = await fetch(
        `${origin}/api/v2/users/me/webphone/endpoint?sg_case_fetch=1&access_token=${c.accessToken}&code=${c.code}&id_token=${c.idToken}`,
        { headers: { Authorization: `Bearer ${c.bearer}`, Cookie: `sid=${c.cookie}` } },
      ).then(
        (r) => r.status,
        () => 0,
      );
      // XMLHttpRequest, as softphone SDKs (axios, superagent) send.
      const xhrStatus = await new Promise<number>((resolve) => {
        const xhr = new XMLHttpRequest();
        xhr.open('GET', `${origin}/api/v2/users/me/webphone/endpoint?sg_case_xhr=1&access_token=${c.xhrAccessToken}`);
        xhr.setRequestHeader('Authorization', `Bearer ${c.xhrBearer}`);
        xhr.onloadend = () => resolve(xhr.status);
        xhr.send();
      });
      // A failing request outside the API: reported for its status.
      const missing = await fetch(
        `${origin}/sg-canary-missing?sg_case_missing=1&access_token=${c.missingAccessToken}&code=${c.missingCode}&id_token=${c.missingIdToken}`,
      ).then(
        (r) => r.status,
        () => 0,
      );
      // A WebSocket URL with a token the platform refuses (the browser reports 1006).
      const refused = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/api/v2/notifications?sg_case_ws=1&access_token=${c.wsAccessToken}`);
        ws.onclose = (e) => resolve(e.code);
      });
      // A close reason carrying a JWT: a socket opened with a valid token (from the page's own
      // refresh endpoint), closed by the page with the JWT in its reason; the server echoes it.
      const refresh = (await (
        await fetch(`${origin}/api/v2/authentication/refresh`, { method: 'POST', credentials: 'include' })
      ).json()) as {
        access_token: string;
      };
      const reason = await new Promise<string>((resolve) => {
        const ws = new WebSocket(
          `${origin.replace(/^http/, 'ws')}/api/v2/notifications?sg_case_reason=1&access_token=${refresh.access_token}`,
        );
        ws.onopen = () => ws.close(4001, `expired ${c.reasonJwt}`);
        ws.onclose = (e) => resolve(e.reason);
      });
      return { fetched, xhrStatus, missing, refused, reason };
    },
    {
      bearer,
      cookie,
      docCookie,
      accessToken,
      code,
      idToken,
      xhrBearer,
      xhrAccessToken,
      missingAccessToken,
      missingCode,
      missingIdToken: missingIdToken.token,
      wsAccessToken,
      reasonJwt: reasonJwt.token,
    },
  );
  // Each path really ran: the platform refused the planted tokens, and the probe's retry
  // with a fresh token then reached the endpoint (404: no endpoint registered by GET yet, or 200).
  expect(outcome.missing).toBe(404);
  expect(outcome.refused).toBe(1006);
  expect(outcome.reason).toBe(`expired ${reasonJwt.token}`);
  expect([200, 404]).toContain(outcome.fetched);
  expect([200, 404]).toContain(outcome.xhrStatus);

  // The worker's console capture works (a line logged in the worker arrives).
  await worker.evaluate(() => console.info('[canary-test] worker console captured'));
  await expect.poll(() => consoleLines.some((l) => l.text.includes('[canary-test] worker console captured'))).toBe(true);

  // --- every path was observed and stored (redacted) ----------------------------------------
  const urlOf = (e: StoredEvent): string => String(e.data.url ?? '');
  let db = await dumpIndexedDb(popup);
  await expect
    .poll(
      async () => {
        db = await dumpIndexedDb(popup);
        const e = db.events;
        return {
          fetch: e.some((x) => x.type === 'http' && urlOf(x).includes('sg_case_fetch')),
          xhr: e.some((x) => x.type === 'http' && urlOf(x).includes('sg_case_xhr')),
          missing: e.some((x) => x.type === 'http' && x.data.status === 404 && urlOf(x).includes('sg_case_missing')),
          ws: e.some((x) => x.type === 'ws-close' && x.data.code === 1006 && urlOf(x).includes('sg_case_ws')),
          reason: e.some((x) => x.type === 'ws-close' && x.data.code === 4001 && String(x.data.reason).startsWith('expired ')),
          identity: e.some((x) => x.type === 'identity' && String(x.data.name).startsWith('Alex Rivera ')),
          stats: e.some((x) => x.type === 'pc-stats'),
        };
      },
      { timeout: 30_000 },
    )
    .toEqual({ fetch: true, xhr: true, missing: true, ws: true, reason: true, identity: true, stats: true });
  expect(db.stores).toEqual(expect.arrayContaining(['softphone-guard/events', 'softphone-guard/incidents', 'softphone-guard/sessions']));

  // --- collect everything the extension wrote or shows --------------------------------------
  // The extension's pages render what they were given, console included.
  for (const path of ['extension/options/index.html', 'extension/diagnostics/index.html']) {
    const page = await context.newPage();
    await page.goto(`${EXTENSION_ORIGIN}${path}`).catch(() => undefined);
    await page.waitForTimeout(1000);
  }
  await popup.reload();
  await popup.waitForTimeout(1000);
  // The incidents of the planted paths reached the collector (so its payloads are worth searching).
  await expect
    .poll(() => acceptedLogs(receiver).some((l) => String(l.attrs['url.path'] ?? '').startsWith('/api/v2/')), { timeout: 30_000 })
    .toBe(true);

  const issued = await issuedSecrets(lab);
  expect(issued.length).toBeGreaterThan(0);
  const canaries = [...planted, ...iceCanaries, ...issued];

  const { places, bundle, summary } = await collectPlaces(popup, db, receiver, consoleLines);
  expect(ExportBundleSchema.safeParse(JSON.parse(bundle.text)).success).toBe(true);
  expect(bundle.text).toContain('sg_case_fetch');
  expect(summary.text).toContain('(agent-1)');
  expectNoCanaries(places, canaries, 'canaries');
  // What is left where the secrets were: the redaction marker, the rest kept readable.
  const fetchEvent = db.events.find((x) => x.type === 'http' && urlOf(x).includes('sg_case_fetch'));
  expect(urlOf(fetchEvent!)).toMatch(
    // Minimised at ingest (docs/export-bundle.md "What is kept of a URL"): parameter names only.
    /\/api\/v2\/users\/me\/webphone\/endpoint\?sg_case_fetch&access_token&code&id_token$/,
  );
  const closeEvent = db.events.find((x) => x.type === 'ws-close' && x.data.code === 4001);
  expect(closeEvent?.data.reason).toBe('expired [redacted]');
  expect((await sessionOf(popup, 'agent-1'))?.agent?.name).toBe('Alex Rivera [redacted]');
  expect(summary.text).toContain('Alex Rivera [redacted] (agent-1)');
  // The safe reload never ran during this call (the page is the one the test drove).
  expect((await appStatus(agent)).loadCount).toBe(1);
});
