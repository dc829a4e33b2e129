/**
 * Recovery in the lab's topologies (tests/lab/README.md "Topologies"), the same fault against an
 * agent with the extension and one without it, side by side on one lab (HTTPS, the extension
 * monitoring `https://softphone.test/*`, the default `cookie-endpoint` refresh):
 *
 * - (a) a top-level softphone tab and (b) the softphone framed by a CRM page on another site:
 *   the extension recovers in place — after a publish storm the agent is ready again, after a
 *   silent revoke (`token-revoke`, then a call: the answer's 401 is the first sign) the call
 *   connects; the app sees no 401, nothing is reloaded, the CRM page keeps its unsaved notes.
 * - (c) the SharedWorker softphone in two tabs and (d) the dedicated-Worker softphone: a
 *   worker's request cannot be given a fresh token in place, so the next rung is a safe reload
 *   of every page using the worker (no call active), which starts a new worker; the popup says
 *   why (the worker).
 *
 * Without the extension the storm leaves the agent stuck and the silent revoke fails the answer.
 * Each test prints its figures on one line: `[topology] (b) publish-storm with: …; without: …`.
 */
import { test, expect } from './support/fixture';
import type { BrowserContext } from '@playwright/test';
import { TLS_BROWSER_ARGS } from '../lab/server.mjs';
import { labPost } from './support/softphone';
import type { Lab } from './support/softphone';
import {
  CASE_NOTES,
  TOPOLOGY_NAMES,
  Watch,
  expectStuck,
  hangUp,
  noDocumentReplaced,
  openSide,
  popupText,
  recoveredByReload,
  recoveredInPlace,
  ringAndAnswer,
  sideBySide,
  sleep,
  stillStuck,
} from './support/topologies';
import type { Topology } from './support/topologies';

test.use({ labOptions: { tls: true }, userConfig: { softphoneUrlPatterns: ['https://softphone.test/*'] } });

const ANSWER_401 = 'POST /api/v2/conversations/{id}/answer 401';

/** The two agents, ready: agent-1 in the browser with the extension, agent-2 in one without it. */
async function bothSides(
  lab: Lab,
  topology: Topology,
  context: BrowserContext,
  launch: (o: object) => Promise<{ context: BrowserContext }>,
) {
  const withExt = await openSide('with', context, lab, 'agent-1', topology);
  const plain = await launch({ withExtension: false, browserArgs: [...TLS_BROWSER_ARGS] });
  const without = await openSide('without', plain.context, lab, 'agent-2', topology);
  return { withExt: await Watch.start(withExt), without: await Watch.start(without) };
}

/** Injects a fault; both watches count from now. */
async function inject(lab: Lab, fault: string, body: object, ...watches: Watch[]): Promise<Record<string, unknown>> {
  const answer = (await labPost(lab, `/lab/fault/${fault}`, body)) as Record<string, unknown>;
  for (const w of watches) w.faultNow();
  return answer;
}

/** With the extension, in place: no 401 reached the app, no document was reloaded, the CRM page kept its notes. */
async function expectUntouched(w: Watch): Promise<void> {
  expect(w.failures().http401, '401s the app saw').toBe(0);
  expect(await w.reloads(), 'app starts since the fault').toEqual(w.side.targets.map(() => 0));
  expect(await noDocumentReplaced(w.side), 'the documents from before the fault').toBe(true);
  if (w.side.crm) await expect(w.side.crm.locator('#case-notes')).toHaveValue(CASE_NOTES);
}

/**
 * With the extension, through a reload: every page using the worker was reloaded exactly once,
 * and the popup says why. Resolves with the popup's words about the worker.
 */
async function expectReloadedOnceForTheWorker(w: Watch): Promise<string> {
  expect(await w.reloads(), 'app starts since the fault, per page').toEqual(w.side.targets.map(() => 1));
  const text = await popupText(w.side.context, /worker/i);
  expect(text).toMatch(/worker/i);
  return text.split(' | ').find((piece) => /worker/i.test(piece)) ?? text;
}

/** Without the extension: the answer fails on the 401. */
function expectAnswerFailedOn401(w: Watch, a: Awaited<ReturnType<typeof ringAndAnswer>>): void {
  expect(a.connected).toBe(false);
  expect(a.call.endReason).toMatch(/401/);
  expect(w.failures().byRequest[ANSWER_401]).toBe(1);
}

/** Without the extension: stuck, and still stuck when the side with it is done. */
async function stuckAsLongAs(w: Watch, withRun: Promise<unknown>): Promise<string> {
  await expectStuck(w);
  await withRun.catch(() => undefined);
  return `not ready after ${(await stillStuck(w)).toFixed(1)} s`;
}

for (const topology of ['a', 'b'] as const) {
  test(`(${topology}) ${TOPOLOGY_NAMES[topology]}, publish storm: ready again in place with the extension, stuck without`, async ({
    lab,
    context,
    launch,
  }) => {
    test.setTimeout(120_000);
    const { withExt, without } = await bothSides(lab, topology, context, launch);
    await inject(lab, 'publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 }, withExt, without);

    const withRun = (async () => {
      const readyAfter = await recoveredInPlace(withExt);
      await sleep(3000); // nothing late: no reload after the recovery either
      await expectUntouched(withExt);
      return `ready after ${readyAfter.toFixed(1)} s`;
    })();
    await sideBySide(`(${topology}) publish-storm`, [
      [withExt, () => withRun],
      [without, () => stuckAsLongAs(without, withRun)],
    ]);
  });

  test(`(${topology}) ${TOPOLOGY_NAMES[topology]}, silent revoke: the next call connects with the extension, its answer fails without`, async ({
    lab,
    context,
    launch,
  }) => {
    test.setTimeout(120_000);
    const { withExt, without } = await bothSides(lab, topology, context, launch);
    const revoke = await inject(lab, 'token-revoke', {}, withExt, without);
    expect(revoke.revokedTokens).toBeGreaterThanOrEqual(2);

    await sideBySide(`(${topology}) token-revoke`, [
      [
        withExt,
        async () => {
          const a = await ringAndAnswer(lab, withExt);
          expect(a.reason).toBeNull();
          expect(a.connected).toBe(true);
          await expectUntouched(withExt);
          await hangUp(withExt);
          return `call connected ${a.at.toFixed(1)} s after the revoke`;
        },
      ],
      [
        without,
        async () => {
          const a = await ringAndAnswer(lab, without);
          expectAnswerFailedOn401(without, a);
          return `answer failed ${a.at.toFixed(1)} s after the revoke (${a.call.endReason})`;
        },
      ],
    ]);
  });
}

for (const topology of ['c', 'd'] as const) {
  test(`(${topology}) ${TOPOLOGY_NAMES[topology]}, publish storm: every page using the worker reloaded once and ready with the extension, stuck without`, async ({
    lab,
    context,
    launch,
  }) => {
    test.setTimeout(180_000);
    const { withExt, without } = await bothSides(lab, topology, context, launch);
    await inject(lab, 'publish-storm', { retryAfterSeconds: 1, rateLimitMs: 2000 }, withExt, without);

    const withRun = (async () => {
      const readyAfter = await recoveredByReload(withExt);
      await sleep(3000); // once: no second reload
      const popup = await expectReloadedOnceForTheWorker(withExt);
      return `ready after ${readyAfter.toFixed(1)} s through a reload (popup: "${popup}")`;
    })();
    await sideBySide(`(${topology}) publish-storm`, [
      [withExt, () => withRun],
      [without, () => stuckAsLongAs(without, withRun)],
    ]);
  });

  test(`(${topology}) ${TOPOLOGY_NAMES[topology]}, silent revoke: the first answer fails, then a reload and the next call connects with the extension; the answer fails without`, async ({
    lab,
    context,
    launch,
  }) => {
    test.setTimeout(180_000);
    const { withExt, without } = await bothSides(lab, topology, context, launch);
    const revoke = await inject(lab, 'token-revoke', {}, withExt, without);
    expect(revoke.revokedTokens).toBeGreaterThanOrEqual(2);

    await sideBySide(`(${topology}) token-revoke`, [
      [
        withExt,
        async () => {
          const first = await ringAndAnswer(lab, withExt);
          expectAnswerFailedOn401(withExt, first);
          const readyAfter = await recoveredByReload(withExt);
          const second = await ringAndAnswer(lab, withExt);
          expect(second.reason).toBeNull();
          expect(second.connected).toBe(true);
          const popup = await expectReloadedOnceForTheWorker(withExt);
          await hangUp(withExt);
          return (
            `first answer failed (${first.call.endReason}), reloaded and ready ${readyAfter.toFixed(1)} s after the revoke, ` +
            `second call connected at ${second.at.toFixed(1)} s (popup: "${popup}")`
          );
        },
      ],
      [
        without,
        async () => {
          const a = await ringAndAnswer(lab, without);
          expectAnswerFailedOn401(without, a);
          return `answer failed ${a.at.toFixed(1)} s after the revoke (${a.call.endReason})`;
        },
      ],
    ]);
  });
}
