/**
 * The lab's topologies (tests/lab/README.md "Topologies") as one agent's setup: which
 * documents run the softphone, how to reach its test hook, and what the agent would lose on a
 * reload. Used by topology-recovery.spec.ts to run one fault against a browser with the
 * extension and one without it, side by side, and to report what each agent went through.
 *
 * - (a) a top-level softphone tab;
 * - (b) the softphone framed by a CRM page on another site, with unsaved case notes;
 * - (c) the SharedWorker transport in two tabs sharing one worker;
 * - (d) the dedicated-Worker transport in one tab.
 */
import type { BrowserContext, Frame, Page } from '@playwright/test';
import { expect } from './fixture';
import { callReady, labPost, openPopup } from './softphone';
import type { AppStatus, Lab } from './softphone';

export type Topology = 'a' | 'b' | 'c' | 'd';

export const TOPOLOGY_NAMES: Record<Topology, string> = {
  a: 'a top-level softphone tab',
  b: 'the softphone framed by a CRM page on another site',
  c: 'the SharedWorker softphone in two tabs',
  d: 'the dedicated-Worker softphone',
};

/** Whether the softphone's API calls run in a worker: the extension cannot give them a fresh token in place. */
export const inWorker = (t: Topology): boolean => t === 'c' || t === 'd';

/** `labSoftphone.status()` with the fields the topologies add. */
export interface TopologyStatus extends AppStatus {
  transport: 'page' | 'shared-worker' | 'worker';
  worker: { id: string; kind: string; startedAt: number; pages: number } | null;
  call: AppStatus['call'] & { id: string | null; endReason: string | null };
  startedAt: number;
  failures: AppStatus['failures'] & { http401: number; wsAbnormalCloses: number };
}

/** One agent in one browser: the softphone documents of a topology. */
export interface Side {
  label: 'with' | 'without';
  user: string;
  context: BrowserContext;
  /** Where the softphone runs: the tab(s), or the CRM page's frame. */
  targets: (Page | Frame)[];
  /** (b): the CRM page framing the softphone. */
  crm?: Page;
  /** Each target's status when the fault was injected (set by {@link Watch.start}). */
  initial: TopologyStatus[];
}

export const CASE_NOTES = 'Customer called twice, router model RX-200; promised a callback before 5 pm.';
const MARKER = 'the document from before the fault';
/** How long a stuck softphone is watched to stay stuck (ms): more than one reconnect backoff round. */
const STILL_STUCK_MS = 6000;
const MEDIA_401 = 'GET /api/v2/communications/webRTC 401';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `labSoftphone.status()` of a page or frame; null while its document is (re)loading. */
export async function statusOf(target: Page | Frame): Promise<TopologyStatus | null> {
  try {
    return await target.evaluate(() => {
      const hook = (window as unknown as { labSoftphone?: { status(): unknown } }).labSoftphone;
      return hook ? (hook.status() as TopologyStatus) : null;
    });
  } catch (error) {
    if (/context was destroyed|navigat|detached|Target page, context or browser has been closed/i.test(String(error))) return null;
    throw error;
  }
}

async function expectReady(target: Page | Frame): Promise<TopologyStatus> {
  await expect.poll(async () => callReady(await statusOf(target)), { timeout: 25_000 }).toBe(true);
  return (await statusOf(target))!;
}

async function softphoneFrame(crm: Page): Promise<Frame> {
  const frame = await (await crm.locator('iframe#softphone').elementHandle())?.contentFrame();
  if (!frame) throw new Error('the CRM page has no softphone frame');
  return frame;
}

const signInUrl = (lab: Lab, user: string, path: string): string =>
  `${lab.origins.softphone}/login?user=${user}&return=${encodeURIComponent(path)}`;

/**
 * Opens `topology` for `user` in `context` and waits until every softphone document is ready
 * for calls; (b) types unsaved notes into the CRM page. Marks every document (and the CRM page)
 * so that a reload shows.
 */
export async function openSide(label: Side['label'], context: BrowserContext, lab: Lab, user: string, topology: Topology): Promise<Side> {
  const side: Side = { label, user, context, targets: [], initial: [] };
  if (topology === 'a' || topology === 'd') {
    const page = await context.newPage();
    await page.goto(signInUrl(lab, user, topology === 'a' ? '/' : '/?transport=worker'));
    const s = await expectReady(page);
    expect(s.transport).toBe(topology === 'a' ? 'page' : 'worker');
    side.targets.push(page);
  } else if (topology === 'b') {
    const crm = await context.newPage();
    await crm.goto(`${lab.origins.crm}/crm?user=${user}`);
    const frame = await softphoneFrame(crm);
    await expectReady(frame);
    expect(new URL(frame.url()).origin).toBe(lab.origins.softphone);
    await crm.locator('#case-notes').fill(CASE_NOTES);
    side.crm = crm;
    side.targets.push(frame);
  } else {
    const a = await context.newPage();
    await a.goto(signInUrl(lab, user, '/?transport=shared-worker'));
    const first = await expectReady(a);
    const b = await context.newPage();
    await b.goto(`${lab.origins.softphone}/?transport=shared-worker`);
    await expectReady(b);
    await expect.poll(async () => (await statusOf(a))?.worker?.pages).toBe(2);
    expect((await statusOf(b))?.worker?.id).toBe(first.worker?.id);
    side.targets.push(a, b);
  }
  for (const t of [...side.targets, ...(side.crm ? [side.crm] : [])]) {
    await t.evaluate((m) => ((window as unknown as { sgTopologyMarker: string }).sgTopologyMarker = m), MARKER);
  }
  return side;
}

/** Whether `target` still shows the document marked by {@link openSide} (null: it is loading). */
async function sameDocument(target: Page | Frame): Promise<boolean | null> {
  try {
    return await target.evaluate((m) => (window as unknown as { sgTopologyMarker?: string }).sgTopologyMarker === m, MARKER);
  } catch {
    return null;
  }
}

const FAILURE_KEYS = ['http401', 'http429', 'http408', 'http5xx', 'httpOther', 'wsAbnormalCloses'] as const;
type FailureKey = (typeof FAILURE_KEYS)[number];

/**
 * Watches one side from the fault on: samples every softphone document's status every 250 ms
 * and keeps the last one of each document (a reload starts a new document with fresh counters),
 * so the failures the app saw add up across reloads.
 */
export class Watch {
  faultAt: number;
  private readonly last = new Map<string, TopologyStatus>();
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  private constructor(
    readonly side: Side,
    faultAt: number,
  ) {
    this.faultAt = faultAt;
  }

  /** Takes every document's status now (the baseline), and samples from then on. */
  static async start(side: Side): Promise<Watch> {
    side.initial = [];
    for (const t of side.targets) side.initial.push((await statusOf(t))!);
    const watch = new Watch(side, Date.now());
    side.initial.forEach((s, i) => watch.last.set(`${i} ${s.startedAt}`, s));
    watch.loop = (async () => {
      while (!watch.stopped) {
        await watch.sample().catch(() => undefined);
        await sleep(250);
      }
    })();
    return watch;
  }

  /** The fault is in: times count from now. */
  faultNow(): void {
    this.faultAt = Date.now();
  }

  /** Every document's status now (null while loading); remembered per document. */
  async sample(): Promise<(TopologyStatus | null)[]> {
    const all = await Promise.all(this.side.targets.map((t) => statusOf(t)));
    all.forEach((s, i) => {
      if (s) this.last.set(`${i} ${s.startedAt}`, s);
    });
    return all;
  }

  async stop(): Promise<void> {
    await this.sample().catch(() => undefined);
    this.stopped = true;
    await this.loop;
  }

  /** Failures the app counted since the fault, every document of the side added up. */
  failures(): Record<FailureKey, number> & { byRequest: Record<string, number> } {
    const out = {
      http401: 0,
      http429: 0,
      http408: 0,
      http5xx: 0,
      httpOther: 0,
      wsAbnormalCloses: 0,
      byRequest: {} as Record<string, number>,
    };
    for (const [key, s] of this.last) {
      const i = Number(key.split(' ')[0]);
      const base = this.side.initial[i]?.startedAt === s.startedAt ? this.side.initial[i] : undefined;
      for (const k of FAILURE_KEYS) out[k] += (s.failures[k] ?? 0) - (base?.failures[k] ?? 0);
      for (const [req, n] of Object.entries(s.failures.byRequest)) {
        const d = n - (base?.failures.byRequest[req] ?? 0);
        if (d > 0) out.byRequest[req] = (out.byRequest[req] ?? 0) + d;
      }
    }
    return out;
  }

  /** App starts per softphone document since the fault (`loadCount` of each tab or frame). */
  async reloads(): Promise<number[]> {
    const now = await this.sample();
    return now.map((s, i) => (s?.loadCount ?? Number.NaN) - (this.side.initial[i]?.loadCount ?? 0));
  }

  /** s since the fault. */
  seconds(at = Date.now()): number {
    return (at - this.faultAt) / 1000;
  }

  /** The figures of this side, for the note: `ready after 3.2 s, app saw 0 × 401 (…), reloads 0`. */
  async figures(outcome: string): Promise<string> {
    const f = this.failures();
    const others = FAILURE_KEYS.filter((k) => k !== 'http401' && f[k] > 0).map((k) => `${f[k]} × ${k}`);
    const reloads = await this.reloads();
    return (
      `${this.side.label}: ${outcome}, app saw ${f.http401} × 401` +
      (others.length > 0 ? ` (and ${others.join(', ')})` : '') +
      `, reloads ${reloads.map((n) => (Number.isNaN(n) ? '?' : String(n))).join('+')}`
    );
  }
}

/** Whether every document of the side is still the one from before the fault (and (b)'s CRM page too). */
export async function noDocumentReplaced(side: Side): Promise<boolean> {
  for (const t of [...side.targets, ...(side.crm ? [side.crm] : [])]) if ((await sameDocument(t)) !== true) return false;
  return true;
}

/**
 * Stuck as the seeds' agents are: the media-token request got a 401, microphone and speaker
 * greyed out, still so {@link STILL_STUCK_MS} later. Resolves with the seconds since the fault
 * the agent was last seen stuck.
 */
export async function expectStuck(watch: Watch): Promise<number> {
  for (const target of watch.side.targets) {
    await expect
      .poll(async () => {
        const s = await statusOf(target);
        return Boolean(s && (s.failures.byRequest[MEDIA_401] ?? 0) > 0 && !s.speakerEnabled && !s.micEnabled);
      })
      .toBe(true);
  }
  await sleep(STILL_STUCK_MS);
  for (const target of watch.side.targets) {
    const s = (await statusOf(target))!;
    expect(callReady(s)).toBe(false);
    expect(s.mediaReady).toBe(false);
  }
  expect(watch.failures().http401).toBeGreaterThan(0);
  return watch.seconds();
}

/** Still not ready for calls, any document: resolves with the seconds since the fault. */
export async function stillStuck(watch: Watch): Promise<number> {
  for (const s of await watch.sample()) expect(s !== null && callReady(s)).toBe(false);
  return watch.seconds();
}

/**
 * Ready again in place after a publish storm, every document: the socket closed abnormally,
 * the media-token request made then is back, ready for calls (see `recoveredFromStorm`).
 * Resolves with the seconds since the fault.
 */
export async function recoveredInPlace(watch: Watch, timeoutMs = 45_000): Promise<number> {
  await expect
    .poll(
      async () =>
        (await watch.sample()).every((s) => s !== null && (s.failures.wsAbnormalCloses ?? 0) > 0 && !s.mediaTokenInFlight && callReady(s)),
      { timeout: timeoutMs, intervals: [250] },
    )
    .toBe(true);
  return watch.seconds();
}

/**
 * Ready again through a reload of every document: a new app start in each (a later
 * `loadCount`), a new worker instance (one for all the tabs of a SharedWorker), ready for
 * calls. Resolves with the seconds since the fault.
 */
export async function recoveredByReload(watch: Watch, timeoutMs = 90_000): Promise<number> {
  const { initial } = watch.side;
  await expect
    .poll(
      async () => {
        const now = await watch.sample();
        const ids = new Set(now.map((s) => s?.worker?.id));
        return (
          now.every(
            (s, i) => s !== null && s.loadCount > initial[i]!.loadCount && s.worker?.id !== initial[i]!.worker?.id && callReady(s),
          ) && ids.size === 1
        );
      },
      { timeout: timeoutMs, intervals: [250] },
    )
    .toBe(true);
  return watch.seconds();
}

/** What became of a call: whether `answer()` resolved (connected), and the call as the app ended it. */
export interface AnswerOutcome {
  connected: boolean;
  reason: string | null;
  call: TopologyStatus['call'];
  /** s since the fault */
  at: number;
}

/**
 * Rings the side's agent (`POST /lab/ring`) and answers in its first softphone document,
 * as the agent would (`labSoftphone.answer()`).
 */
export async function ringAndAnswer(lab: Lab, watch: Watch): Promise<AnswerOutcome> {
  const target = watch.side.targets[0]!;
  const { callId, delivered } = (await labPost(lab, '/lab/ring', { userId: watch.side.user })) as { callId: string; delivered: number };
  expect(delivered, 'the call reached the agent: the socket stayed open').toBeGreaterThan(0);
  await expect.poll(async () => (await statusOf(target))?.call, { timeout: 10_000 }).toMatchObject({ id: callId, state: 'ringing' });
  const reason = await target.evaluate(() =>
    (window as unknown as { labSoftphone: { answer(): Promise<unknown> } }).labSoftphone.answer().then(
      () => null,
      (e: unknown) => String(e instanceof Error ? e.message : e),
    ),
  );
  const s = (await watch.sample())[0]!;
  return { connected: reason === null && s.call.state === 'connected', reason, call: s.call, at: watch.seconds() };
}

/** Hangs up the side's call, if one is up. */
export async function hangUp(watch: Watch): Promise<void> {
  await watch.side.targets[0]!.evaluate(() =>
    (window as unknown as { labSoftphone: { hangup(): Promise<unknown> } }).labSoftphone.hangup().catch(() => undefined),
  );
}

/**
 * What the popup says happened — every card's reason and its incidents with what was done, one
 * piece each, joined by ` | ` (not the diagnostics rows, which list a worker whatever happened) —
 * once it matches `pattern`, or as it is after `timeoutMs`.
 */
export async function popupText(context: BrowserContext, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const popup = await openPopup(context);
  const text = async (): Promise<string> =>
    (await popup.locator('.card__reason, .incident__summary, .step__text, .step__detail').allInnerTexts()).join(' | ').replace(/\s+/g, ' ');
  await expect
    .poll(async () => pattern.test(await text()), { timeout: timeoutMs })
    .toBe(true)
    .catch(() => undefined);
  const out = await text();
  await popup.close();
  return out;
}

/**
 * Runs each side's part of the scenario at the same time (the same fault hit both), prints one
 * line with both sides' figures (`[topology] <title> with: …; without: …`), and then fails with
 * the first side that did not show what it should.
 * @param runs per side: its watch, and its part, resolving with its outcome for the note
 */
export async function sideBySide(title: string, runs: [Watch, () => Promise<string>][]): Promise<void> {
  const results = await Promise.allSettled(runs.map(([, run]) => run()));
  const parts: string[] = [];
  for (const [i, [watch]] of runs.entries()) {
    const r = results[i]!;
    const outcome =
      r.status === 'fulfilled' ? r.value : `FAILED after ${watch.seconds().toFixed(1)} s (${String(r.reason).split('\n')[0]})`;
    parts.push(await watch.figures(outcome).catch(() => `${watch.side.label}: ${outcome}`));
    await watch.stop();
  }
  console.log(`[topology] ${title} ${parts.join('; ')}`);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
