/**
 * Seed 002, org switch, in real Chromium with the built extension against the softphone lab.
 *
 * The lab app switches organisation the way the seed's softphone does: a token for the new org,
 * `/users/me`, a media token, the webphone endpoint and a NEW notification socket — leaving the
 * old org's socket and the call's peer connection alive. The lab refuses a second org's
 * socket (dropped without a close frame, 1006) and endpoint (409 "connection reset") while the
 * first org's socket of the same login is open. tests/e2e/lab-org-switch.spec.ts shows the
 * agent stuck without the extension; here the probe closes the old org's socket (1000) and
 * peer connection before the app sees the new identity, so the new handshake goes through.
 */
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import type { EventsResponse, SessionView, StateResponse } from '../../src/protocol/ui';
import { appStatus, callReady, labPost, openPopup } from './support/softphone';
import type { AppStatus, Lab } from './support/softphone';

test.use({ labOptions: { heartbeatMs: 1000 } });

type OrgStatus = AppStatus & { org: { id: string; switching: boolean; switches: number }; signallingSockets: number };
type Hook = { labSoftphone: { answer(): Promise<{ id: string }>; switchOrg(org: string): Promise<unknown> } };

const orgStatus = (page: Page): Promise<OrgStatus> => appStatus(page) as Promise<OrgStatus>;

async function session(popup: Page): Promise<SessionView | undefined> {
  const state: StateResponse = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-state' }));
  return state.sessions.find((s) => s.alive && s.agent?.userId === 'agent-1');
}

/** Rings agent-1 and answers; resolves with the call id once audio flows. */
async function takeCall(lab: Lab, agent: Page): Promise<string> {
  const ring = (await labPost(lab, '/lab/ring', { userId: 'agent-1' })) as { callId: string };
  await expect.poll(async () => (await appStatus(agent)).call.state).toBe('ringing');
  await agent.evaluate(() => (window as unknown as Hook).labSoftphone.answer());
  await expect.poll(async () => (await appStatus(agent)).call).toMatchObject({ id: ring.callId, state: 'connected' });
  return ring.callId;
}

test('switching organisation during a call: the old org is torn down first, the new org comes up, the next call is answered; the popup shows the switch', async ({
  lab,
  context,
  agent,
}) => {
  await expect.poll(async () => callReady(await appStatus(agent)), { timeout: 20_000 }).toBe(true);
  const oldCall = await takeCall(lab, agent);
  const conflictsBefore = lab.state.stats().wsConflicts;

  // The agent picks org-b (the lab pushes the org picker's choice to the app).
  const fault = (await labPost(lab, '/lab/fault/org-switch', { toOrg: 'org-b' })) as { notifiedSockets: number };
  expect(fault.notifiedSockets).toBe(1);

  // The new org is up: one socket, presence Available, media and mic ready, no reload.
  await expect
    .poll(
      async () => {
        const s = await orgStatus(agent);
        return { org: s.org.id, switching: s.org.switching, ready: callReady(s), sockets: s.signallingSockets };
      },
      { timeout: 15_000 },
    )
    .toEqual({ org: 'org-b', switching: false, ready: true, sockets: 1 });
  // The old org's call was the stale session: its peer connection was closed, the app ended it
  // (the app notices on its next 500 ms stats sample, so possibly after it was ready again).
  await expect
    .poll(async () => (await orgStatus(agent)).call)
    .toMatchObject({ id: oldCall, state: 'ended', endReason: 'media connection closed' });
  const after = await orgStatus(agent);
  expect(after.agent?.orgId).toBe('org-b');
  expect(after.loadCount).toBe(1);

  // The lab never saw the two orgs collide: no dropped upgrade, no 409 on the endpoint.
  const stats = lab.state.stats();
  expect(stats.wsConflicts - conflictsBefore).toBe(0);
  expect(stats.requests['PUT /api/v2/users/me/webphone/endpoint 409'] ?? 0).toBe(0);
  expect(after.failures.wsAbnormalCloses).toBe(0);

  // Stays up (a conflicting socket would be dropped within a second, again and again).
  await agent.waitForTimeout(3000);
  expect(callReady(await appStatus(agent))).toBe(true);
  expect(lab.state.stats().wsConflicts - conflictsBefore).toBe(0);

  // The next call (now in org-b) is answered.
  await takeCall(lab, agent);

  // The popup names the switch and what was closed.
  const popup = await openPopup(context);
  const s = await session(popup);
  expect(s?.agent?.orgId).toBe('org-b');
  // Both ends of the lab's loopback call live in the page: two peer connections closed.
  expect(s?.orgSwitch).toMatchObject({ fromOrgId: 'org-a', toOrgId: 'org-b', closedSockets: 1, closedPeerConnections: 2 });
  await expect(
    popup.getByText(/Switched organisation org-a → org-b at \d\d:\d\d; closed 1 socket and 2 call connections of org-a/),
  ).toBeVisible();
  expect(s?.health).toBe('healthy');
});

test('switching organisation while idle closes the old org socket before the new one opens', async ({ lab, context, agent }) => {
  await expect.poll(async () => callReady(await appStatus(agent)), { timeout: 20_000 }).toBe(true);
  const upgrades = lab.state.stats().requests['GET /api/v2/notifications 101'] ?? 0;

  await agent.evaluate(() => (window as unknown as Hook).labSoftphone.switchOrg('org-b'));

  await expect.poll(async () => callReady(await appStatus(agent)), { timeout: 15_000 }).toBe(true);
  const s = await orgStatus(agent);
  expect(s).toMatchObject({ org: { id: 'org-b', switches: 1 }, signallingSockets: 1 });
  // Exactly one new upgrade: the new org's socket, accepted at the first try.
  expect((lab.state.stats().requests['GET /api/v2/notifications 101'] ?? 0) - upgrades).toBe(1);
  expect(lab.state.stats().wsConflicts).toBe(0);

  const popup = await openPopup(context);
  await expect
    .poll(async () => (await session(popup))?.orgSwitch)
    .toMatchObject({ fromOrgId: 'org-a', toOrgId: 'org-b', closedSockets: 1, closedPeerConnections: 0 });
  // The old org's socket was closed on purpose: no abnormal-close incident for it.
  expect((await session(popup))?.incidents.filter((i) => i.kind === 'abnormal-close')).toEqual([]);
  await popup.reload();
  await expect(
    popup.getByText(/^Switched organisation org-a → org-b at \d\d:\d\d; closed 1 socket of org-a before the new sign-in\.$/),
  ).toBeVisible();
  const stored: EventsResponse = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'get-events', limit: 500 }));
  expect(stored.events.filter((e) => e.type === 'org-switch').map((e) => e.data['toOrgId'])).toEqual(['org-b']);
});
