/**
 * Caller data end to end (issue 16, "Minimise at ingest"), in real Chromium with the built
 * extension against the softphone lab. The lab softphone runs with its caller-data option
 * (`?callerPhone=…`, tests/lab/README.md, app/caller-data.js): its page URL, its notification
 * socket URLs, a screen-pop request (`/api/v2/contacts/<phone>?ani=tel:<phone>&email=…&customerName=…&otp=…`)
 * and a socket's close reason carry a caller's phone number (in a path segment and in a
 * query), e-mail address, name and one-time password. After a publish storm and an outage,
 * none of the planted values may appear in IndexedDB, `storage.local` / `storage.session`, the
 * worker's state answer, the export bundle and summary, the telemetry the OTLP receiver got,
 * or the worker's console — and the incidents still name the endpoint as
 * `/api/v2/contacts/{id}` (docs/export-bundle.md "What is kept of a URL").
 *
 * The planted values are checked to have really travelled (the lab's request log holds the
 * contact lookup with the number in its path, the page saw the close reason), and each path
 * to have been observed and stored (its minimised trace is in the store), so the test cannot
 * pass because nothing was recorded.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { expect, test } from './support/fixture';
import type { StoredEvent } from '../../src/protocol/ui';
import type { Incident } from '../../src/session/types';
import { ExportBundleSchema } from '../../src/export/bundle-schema';
import { captureConsole, collectPlaces, dumpIndexedDb, expectNoCanaries, requestExport } from './support/canaries';
import { acceptedLogs } from './support/otlp-receiver';
import { appStatus, callReady, extensionWorker, labPost, openPopup, recoveredFromStorm, withLabPages } from './support/softphone';

/** Random decimal digits, the first not zero. */
const digits = (n: number): string => `${randomInt(1, 10)}${Array.from({ length: n - 1 }, () => randomInt(0, 10)).join('')}`;

test('no planted caller data reaches IndexedDB, extension storage, the export, telemetry or the console', async ({
  lab,
  context,
  otlpReceiver: receiver,
}) => {
  test.setTimeout(240_000);
  const consoleLines = captureConsole(context);
  const worker = await extensionWorker(context);
  await worker.evaluate(
    (userConfig) => chrome.storage.local.set({ userConfig }),
    withLabPages({ telemetry: { otlpEndpoint: receiver.url, exportIntervalSeconds: 2 } }),
  );

  // --- the caller ---------------------------------------------------------------------------
  const national = `555${digits(7)}`;
  const phone = `+1${national}`;
  const mailbox = `cnry.${randomBytes(5).toString('hex')}`;
  const email = `${mailbox}@example.com`;
  const name = `Zelda${randomBytes(4).toString('hex')}`;
  const otp = digits(8);
  // Searched for: the number without its `+` (so `%2B…` and `+…` are both found), the
  // mailbox (also found as `%40`-encoded), the name, the one-time password.
  const canaries = [national, mailbox, name, otp];

  const query = new URLSearchParams({ callerPhone: phone, callerEmail: email, callerName: name, callerOtp: otp });
  const agent = await context.newPage();
  // What the app itself sent: request URLs and socket URLs, as the browser saw them.
  const sent: string[] = [];
  agent.on('request', (r) => sent.push(r.url()));
  agent.on('websocket', (ws) => sent.push(ws.url()));
  await agent.goto(`${lab.url}/login?user=agent-1&return=${encodeURIComponent(`/?${query}`)}`);
  await expect.poll(async () => callReady(await appStatus(agent).catch(() => null)), { timeout: 20_000 }).toBe(true);
  const popup = await openPopup(context);

  // The planted data really travelled: the app's lookup carried the number in its path and the
  // e-mail, name and one-time password in its query; its sockets carried them in their URLs.
  await expect.poll(() => sent.some((u) => new URL(u).pathname === `/api/v2/contacts/${phone}`), { timeout: 20_000 }).toBe(true);
  const carried = (u: string): boolean => [national, mailbox, name, otp].every((c) => decodeURIComponent(u).includes(c));
  expect(sent.filter((u) => u.includes('/api/v2/contacts/')).every(carried)).toBe(true);
  expect(sent.some((u) => u.startsWith('ws') && u.includes('/api/v2/notifications?') && carried(u))).toBe(true);

  // --- a publish storm, then an outage during a lookup ---------------------------------------
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 });
  await recoveredFromStorm(agent, 60_000);
  await labPost(lab, '/lab/fault/server-down', { durationMs: 4000 });
  const lookupStatus = await agent.evaluate(() =>
    (window as unknown as { labSoftphone: { lookUpCaller(): Promise<number> } }).labSoftphone.lookUpCaller(),
  );
  expect([0, 404, 503]).toContain(lookupStatus);
  await expect.poll(async () => callReady(await appStatus(agent).catch(() => null)), { timeout: 60_000 }).toBe(true);

  // --- every path was observed and stored (minimised) ----------------------------------------
  const urlOf = (e: StoredEvent): string => String(e.data.url ?? e.data.href ?? '');
  let db = await dumpIndexedDb(popup);
  await expect
    .poll(
      async () => {
        db = await dumpIndexedDb(popup);
        const e = db.events;
        return {
          page: e.some((x) => x.type === 'hello' && urlOf(x).includes('callerPhone')),
          lookup: e.some((x) => x.type === 'http' && urlOf(x).includes('/api/v2/contacts/')),
          socket: e.some((x) => x.type === 'ws-close' && x.data.code === 1006 && urlOf(x).includes('customerName')),
          reason: e.some((x) => x.type === 'ws-close' && x.data.code === 4100 && String(x.data.reason).startsWith('wrap-up ')),
        };
      },
      { timeout: 30_000 },
    )
    .toEqual({ page: true, lookup: true, socket: true, reason: true });

  // The incidents name the endpoint well enough for support: path kept, the caller's number not.
  const named = (incidents: readonly Incident[]): Incident | undefined =>
    incidents.find((i) => i.summary.includes('/api/v2/contacts/{id}') && String(i.detail.url ?? '').includes('/api/v2/contacts/{id}'));
  const exported = async (): Promise<Incident[]> =>
    (JSON.parse((await requestExport(popup, 'bundle')).text) as { incidents: Incident[] }).incidents;
  await expect.poll(async () => named(await exported())?.kind ?? null, { timeout: 30_000 }).not.toBeNull();
  await expect
    .poll(
      () =>
        acceptedLogs(receiver).some((l) => l.attrs['url.path'] === '/api/v2/contacts/{id}' && l.attrs['server.address'] === '127.0.0.1'),
      {
        timeout: 30_000,
      },
    )
    .toBe(true);
  expect(acceptedLogs(receiver).some((l) => 'url.full' in l.attrs)).toBe(false);

  // --- collect everything the extension wrote or shows --------------------------------------
  await worker.evaluate(() => console.info('[privacy-canary] worker console captured'));
  await expect.poll(() => consoleLines.some((l) => l.text.includes('[privacy-canary] worker console captured'))).toBe(true);
  db = await dumpIndexedDb(popup);
  const { places, bundle } = await collectPlaces(popup, db, receiver, consoleLines);
  expect(ExportBundleSchema.safeParse(JSON.parse(bundle.text)).success).toBe(true);
  expect(bundle.text).toContain('/api/v2/contacts/{id}');
  expectNoCanaries(places, canaries, 'caller data');
  // What is left: the endpoints with their parameter names, the close reason with the caller masked.
  const lookupEvent = db.events.find((x) => x.type === 'http' && urlOf(x).includes('/api/v2/contacts/'));
  expect(urlOf(lookupEvent!)).toMatch(/\/api\/v2\/contacts\/\{id\}\?ani&email&customerName&otp$/);
  const wrapUp = db.events.find((x) => x.type === 'ws-close' && x.data.code === 4100);
  expect(wrapUp?.data.reason).toBe('wrap-up [redacted] [redacted] otp=[redacted]');
  expect(urlOf(wrapUp!)).toMatch(/\/api\/v2\/notifications\?access_token&ani&email&customerName&otp$/);
});
