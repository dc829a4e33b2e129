/**
 * The lab's topologies, WITHOUT the extension (tests/lab/README.md "Topologies"): each one
 * reproduces the seeds' failure as the real deployment it stands for would.
 *
 * - a softphone framed by a CRM page on another site (HTTPS, partitioned cookies): ready,
 *   stuck after a publish storm, the CRM page (with its unsaved notes) untouched; and where
 *   the framed softphone's cookies are sent from (the measurement in the README);
 * - the SharedWorker transport in two tabs: stuck after a storm; reloading one tab does not
 *   help (the other still holds the worker and its revoked token), reloading both does;
 * - the dedicated Worker transport: stuck after a storm, a reload helps;
 * - a third-party widget on the softphone page provoking 401s from the attacker origin: what
 *   its requests carry, as the attacker logs it.
 *
 * The lab runs with `tls` (the fixture's `labOptions`), and the browser gets the lab's
 * host-resolver and certificate flags.
 */
import { test, expect } from './support/fixture';
import type { BrowserContext, Frame, Page } from '@playwright/test';
import type { LabAttackerRequest } from '../lab/server.mjs';
import { callReady } from './support/softphone';
import type { AppStatus } from './support/softphone';

interface TopologyStatus extends AppStatus {
  transport: 'page' | 'shared-worker' | 'worker';
  worker: { id: string; kind: string; startedAt: number; pages: number } | null;
  failures: AppStatus['failures'] & { http401: number; wsAbnormalCloses: number };
}

test.use({ withExtension: false, labOptions: { tls: true } });

const MEDIA_401 = 'GET /api/v2/communications/webRTC 401';
const AUTHORIZE_200 = 'GET /auth/authorize 200';
const NOTES = 'Customer called twice, router model RX-200; promised a callback before 5 pm.';
/** How long a stuck softphone is watched to stay stuck (ms): more than one reconnect backoff round. */
const STILL_STUCK_MS = 6000;

/** `labSoftphone.status()` of a page or frame; null while its document is (re)loading. */
async function statusOf(target: Page | Frame): Promise<TopologyStatus | null> {
  try {
    return await target.evaluate(() => {
      const hook = (window as unknown as { labSoftphone?: { status(): unknown } }).labSoftphone;
      return hook ? (hook.status() as TopologyStatus) : null;
    });
  } catch (error) {
    if (/context was destroyed|navigat|detached/i.test(String(error))) return null;
    throw error;
  }
}

async function expectReady(target: Page | Frame): Promise<TopologyStatus> {
  await expect.poll(async () => callReady(await statusOf(target)), { timeout: 25_000 }).toBe(true);
  return (await statusOf(target))!;
}

/**
 * Stuck as the seeds' agents are: the media-token request got a 401, microphone and speaker are
 * greyed out, and it stays that way for {@link STILL_STUCK_MS}.
 */
async function expectStuck(target: Page | Frame): Promise<void> {
  await expect
    .poll(async () => {
      const s = await statusOf(target);
      return Boolean(s && (s.failures.byRequest[MEDIA_401] ?? 0) > 0 && !s.speakerEnabled && !s.micEnabled);
    })
    .toBe(true);
  await new Promise((r) => setTimeout(r, STILL_STUCK_MS));
  const s = (await statusOf(target))!;
  expect(callReady(s)).toBe(false);
  expect(s.mediaReady).toBe(false);
  expect(s.failures.http401).toBeGreaterThan(0);
}

/** The softphone iframe of the CRM page (one Frame object across its navigations). */
async function softphoneFrame(crm: Page): Promise<Frame> {
  const frame = await (await crm.locator('iframe#softphone').elementHandle())?.contentFrame();
  if (!frame) throw new Error('the CRM page has no softphone frame');
  return frame;
}

async function openCrm(context: BrowserContext, crmOrigin: string): Promise<{ crm: Page; frame: Frame }> {
  const crm = await context.newPage();
  await crm.goto(`${crmOrigin}/crm?user=agent-1`);
  const frame = await softphoneFrame(crm);
  await expectReady(frame);
  return { crm, frame };
}

test('a softphone framed by a CRM page on another site: ready, stuck after a publish storm, the CRM page untouched', async ({
  lab,
  context,
}) => {
  const { crm, frame } = await openCrm(context, lab.origins.crm);
  expect(new URL(frame.url()).origin).toBe(lab.origins.softphone);
  expect((await statusOf(frame))!.transport).toBe('page');
  await crm.locator('#case-notes').fill(NOTES);
  await crm.evaluate(() => ((window as unknown as { crmMarker: string }).crmMarker = 'same document'));

  lab.state.publishStorm({ retryAfterSeconds: 1, rateLimitMs: 2000 });
  await expectStuck(frame);
  await expect(frame.getByRole('button', { name: 'Microphone' })).toHaveClass(/greyed/);

  // The CRM page is the same document, its unsaved notes still there.
  await expect(crm.locator('#case-notes')).toHaveValue(NOTES);
  expect(await crm.evaluate(() => (window as unknown as { crmMarker?: string }).crmMarker)).toBe('same document');
  expect(lab.state.stats().requests[MEDIA_401]).toBeGreaterThan(0);
});

test('cookies of the framed softphone are partitioned by the CRM site: sent from the frame, not from a top-level softphone tab', async ({
  lab,
  context,
}) => {
  const { crm, frame } = await openCrm(context, lab.origins.crm);
  const refresh = (): Promise<number> =>
    fetch('/api/v2/authentication/refresh', { method: 'POST', credentials: 'include' }).then((r) => r.status);

  // In the frame: the app's own refresh call carries the partitioned lab_refresh cookie.
  const inFrame = await frame.evaluate(refresh);

  // Outside the CRM's partition: a top-level tab on the softphone's origin, no extension.
  const top = await context.newPage();
  await top.goto(`${lab.origins.softphone}/login`);
  const topLevel = await top.evaluate(refresh);

  // Where the browser keeps the cookies, and whether it keeps an unpartitioned one a cross-site frame sets.
  const cdp = await context.newCDPSession(crm);
  const frameStorage = await frame.evaluate(() => {
    document.cookie = 'lab_probe_unpartitioned=1; Path=/; SameSite=None; Secure';
    document.cookie = 'lab_probe_partitioned=1; Path=/; SameSite=None; Secure; Partitioned';
    try {
      return typeof window.sessionStorage.length === 'number' ? 'sessionStorage usable' : 'no sessionStorage';
    } catch (error) {
      return `sessionStorage: ${(error as Error).name}`;
    }
  });
  const { cookies } = (await cdp.send('Storage.getCookies')) as {
    cookies: { name: string; domain: string; partitionKey?: { topLevelSite: string; hasCrossSiteAncestor: boolean } }[];
  };
  const stored = Object.fromEntries(
    cookies.filter((c) => c.domain === 'softphone.test').map((c) => [c.name, c.partitionKey?.topLevelSite ?? null]),
  );
  const version = context.browser()?.version() ?? (await cdp.send('Browser.getVersion')).product;
  console.log(
    `[cookies in a frame] ${version}: refresh in the CRM frame ${inFrame}, top-level softphone tab ${topLevel}; ` +
      `softphone.test cookies by partition: ${JSON.stringify(stored)}; in the frame: ${frameStorage}`,
  );

  expect(inFrame).toBe(200);
  expect(topLevel).toBe(401);
  expect(stored.lab_session).toBe(lab.origins.crm.replace(/:\d+$/, ''));
  expect(stored.lab_refresh).toBe(lab.origins.crm.replace(/:\d+$/, ''));
  expect(stored.lab_probe_partitioned).toBe(lab.origins.crm.replace(/:\d+$/, ''));
  // Third-party cookies are blocked in this browser: an unpartitioned cookie the frame sets is not kept.
  expect(stored).not.toHaveProperty('lab_probe_unpartitioned');
});

test('the SharedWorker softphone in two tabs: stuck after a storm, reloading one tab does not help, reloading both does', async ({
  lab,
  context,
}) => {
  test.setTimeout(150_000);
  const appUrl = `${lab.origins.softphone}/?transport=shared-worker`;
  const a = await context.newPage();
  await a.goto(`${lab.origins.softphone}/login?user=agent-1&return=${encodeURIComponent('/?transport=shared-worker')}`);
  const first = await expectReady(a);
  const b = await context.newPage();
  await b.goto(appUrl);
  await expectReady(b);
  await expect.poll(async () => (await statusOf(a))?.worker?.pages).toBe(2);
  const sa = (await statusOf(a))!;
  const sb = (await statusOf(b))!;
  expect([sa.transport, sb.transport]).toEqual(['shared-worker', 'shared-worker']);
  expect(sb.worker?.id).toBe(first.worker?.id);
  // One worker, one token: one authorize for both tabs, the API called with X-Amz-Bearer.
  expect(lab.state.stats().requests[AUTHORIZE_200]).toBe(1);
  expect(lab.state.stats().requests['GET /api/v2/users/me 200']).toBe(2);

  lab.state.publishStorm({ retryAfterSeconds: 1, rateLimitMs: 2000 });
  await Promise.all([expectStuck(a), expectStuck(b)]);

  // Reloading one tab: the new page attaches to the same worker, which keeps its revoked token.
  await a.reload();
  await expect.poll(async () => (await statusOf(a))?.loadCount).toBe(2);
  await expectStuck(a);
  expect((await statusOf(a))!.worker?.id).toBe(first.worker?.id);
  expect(lab.state.stats().requests[AUTHORIZE_200]).toBe(1);

  // Reloading both together: no page holds the worker any more, a new one authorizes afresh.
  await Promise.all([a.reload(), b.reload()]);
  const [ra, rb] = await Promise.all([expectReady(a), expectReady(b)]);
  expect(ra.worker?.id).not.toBe(first.worker?.id);
  expect(rb.worker?.id).toBe(ra.worker?.id);
  expect(lab.state.stats().requests[AUTHORIZE_200]).toBe(2);
});

test('the dedicated-Worker softphone: stuck after a storm, a reload helps', async ({ lab, context }) => {
  const page = await context.newPage();
  await page.goto(`${lab.origins.softphone}/login?user=agent-1&return=${encodeURIComponent('/?transport=worker')}`);
  const first = await expectReady(page);
  expect(first.transport).toBe('worker');
  expect(first.worker?.kind).toBe('worker');

  lab.state.publishStorm({ retryAfterSeconds: 1, rateLimitMs: 2000 });
  await expectStuck(page);

  await page.reload();
  const again = await expectReady(page);
  expect(again.loadCount).toBe(2);
  expect(again.worker?.id).not.toBe(first.worker?.id);
  expect(again.failures.http401).toBe(0);
  expect(lab.state.stats().requests[AUTHORIZE_200]).toBe(2);
});

test("a third-party widget on the softphone page provokes 401s from the attacker origin: its requests carry only the widget's junk token", async ({
  lab,
  context,
}) => {
  const page = await context.newPage();
  await page.goto(`${lab.origins.softphone}/login?user=agent-1&return=${encodeURIComponent('/?widget=attacker')}`);
  await expectReady(page);
  expect(new URL(page.url()).searchParams.get('widget')).toBe('attacker');

  const requests = (): LabAttackerRequest[] => lab.state.attackerLog().filter((r) => r.method !== 'OPTIONS');
  await expect.poll(() => requests().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
  for (const r of requests()) {
    expect(r).toMatchObject({
      method: 'GET',
      path: '/api/v2/x',
      origin: lab.origins.softphone,
      upgrade: false,
      authorization: 'Bearer junk',
      xAmzBearer: null,
      accessToken: null,
    });
  }
  // The same log on the control API.
  const body = (await (await fetch(`${lab.controlUrl}/lab/attacker-log`)).json()) as { requests: LabAttackerRequest[] };
  expect(body.requests.filter((r) => r.method !== 'OPTIONS').length).toBeGreaterThanOrEqual(3);
  // The widget's 401s are not the softphone's: the app saw none, and it is still ready.
  const s = (await statusOf(page))!;
  expect(s.failures.http401).toBe(0);
  expect(callReady(s)).toBe(true);
});
