/**
 * Seed 002's organisation switch in the lab, WITHOUT the extension. The lab app switches the
 * way the seed's softphone does (new token, new endpoint registration, new socket) and never
 * tears the old organisation's socket or call down; the lab allows one organisation per login
 * session. So the agent ends up stuck: the new socket is dropped (1006) over and over,
 * presence Unreachable, the endpoint PUT answers 409 "connection reset", and the next call is
 * missed while the stale call runs. A stand-in for the extension's teardown (an init script
 * that closes the old sockets with 1000 and the old peer connections when `/users/me` names a
 * new organisation) shows that tearing down first is enough to fix it.
 */
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import WebSocket from 'ws';
import { openAgent } from './support/softphone';
import type { Lab } from './support/softphone';

interface OrgStatus {
  presence: string;
  signalling: string;
  signallingSockets: number;
  mediaReady: boolean;
  agent: { id: string; name: string; orgId: string } | null;
  org: { id: string | null; switching: boolean; switches: number };
  call: { id: string | null; state: string; inboundAudioBytes: number; endReason: string | null };
  failures: { wsAbnormalCloses: number; byRequest: Record<string, number> };
}
interface OrgHook {
  status(): OrgStatus;
  answer(): Promise<unknown>;
  switchOrg(orgId: string): Promise<OrgStatus['org']>;
}
type HookWindow = Window & { labSoftphone: OrgHook };

const ENDPOINT_409 = 'PUT /api/v2/users/me/webphone/endpoint 409';

const status = (page: Page): Promise<OrgStatus> => page.evaluate(() => (window as unknown as HookWindow).labSoftphone.status());

async function control(lab: Lab, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${lab.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, `${path} answered ${res.status}`).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/** Rings agent-1 and answers; resolves once the loopback call is connected with audio flowing. */
async function takeCall(lab: Lab, page: Page): Promise<string> {
  const ring = await control(lab, '/lab/ring', { userId: 'agent-1' });
  expect(ring.delivered).toBe(1);
  await expect.poll(async () => (await status(page)).call.state).toBe('ringing');
  await page.evaluate(() => (window as unknown as HookWindow).labSoftphone.answer());
  const first = (await status(page)).call;
  expect(first.state).toBe('connected');
  await expect.poll(async () => (await status(page)).call.inboundAudioBytes).toBeGreaterThan(first.inboundAudioBytes);
  return String(ring.callId);
}

test.describe('org switch without the extension', () => {
  test.use({ labOptions: { heartbeatMs: 2000 }, withExtension: false });

  test('switching with a call up leaves the agent stuck until a reload (seed 002)', async ({ lab, context }) => {
    const page = await openAgent(context, lab, 'agent-1');
    expect(await status(page)).toMatchObject({ org: { id: 'org-a', switching: false, switches: 0 }, signallingSockets: 1 });
    const picker = page.getByRole('combobox', { name: 'Organization' });
    await expect(picker).toBeVisible();
    await expect(picker).toHaveValue('org-a');
    await expect(picker.locator('option')).toHaveText(['Northwind Contact Centre', 'Contoso Support']);
    await expect(page.evaluate(() => (window as unknown as HookWindow).labSoftphone.switchOrg('org-x'))).rejects.toThrow(
      /unknown organization/,
    );

    const callId = await takeCall(lab, page);

    // The agent picks Contoso Support (the fault's push stands for the picker).
    const fault = await control(lab, '/lab/fault/org-switch', {});
    expect(fault).toMatchObject({ fault: 'org-switch', params: { toOrg: 'org-b' }, notifiedSockets: 1 });
    await expect.poll(async () => (await status(page)).org).toEqual({ id: 'org-b', switching: false, switches: 1 });
    await expect(page.locator('#org-name')).toHaveText('Contoso Support');
    await expect(picker).toHaveValue('org-b');

    // Stuck: the new socket is dropped at once, again and again; the endpoint PUT conflicts.
    await expect
      .poll(() => status(page))
      .toMatchObject({
        agent: { id: 'agent-1', orgId: 'org-b' },
        presence: 'Unreachable',
        mediaReady: true,
        failures: { byRequest: { [ENDPOINT_409]: 1 } },
      });
    await expect(page.locator('#error-log')).toContainText('connection reset');
    await expect.poll(() => lab.state.stats().wsConflicts).toBeGreaterThanOrEqual(2);
    const stuck = await status(page);
    expect(stuck.signalling).not.toBe('open');
    // The old org's socket, still open (a conflicting new one may count for the moment between
    // its open event and the drop: Chromium fires open before the 1006).
    expect(stuck.signallingSockets).toBeGreaterThanOrEqual(1);
    expect(stuck.failures.wsAbnormalCloses).toBeGreaterThanOrEqual(1);
    await expect(page.locator('#error-log')).toContainText('code 1006');
    // The old org's call runs on, untouched.
    expect(stuck.call).toMatchObject({ id: callId, state: 'connected' });
    await expect.poll(async () => (await status(page)).call.inboundAudioBytes).toBeGreaterThan(stuck.call.inboundAudioBytes);

    // The next call reaches the app only over the stale socket and is missed.
    const next = await control(lab, '/lab/ring', { userId: 'agent-1' });
    expect(next.delivered).toBe(1);
    await expect(page.locator('#error-log')).toContainText('Missed call');
    expect((await status(page)).call).toMatchObject({ id: callId, state: 'connected' });
    await expect(page.getByRole('button', { name: 'Answer' })).toBeDisabled();

    // Still stuck later.
    const conflicts = lab.state.stats().wsConflicts;
    await page.waitForTimeout(4000);
    // Sampled until no conflicting socket is in its moment between open and drop.
    await expect.poll(() => status(page)).toMatchObject({ presence: 'Unreachable', signallingSockets: 1 });
    expect(lab.state.stats().wsConflicts).toBeGreaterThan(conflicts);

    // A reload drops every old session and boots in the organisation the session moved to.
    await page.reload();
    await expect
      .poll(() => status(page).catch(() => null), { timeout: 20_000 })
      .toMatchObject({
        presence: 'Available',
        signalling: 'open',
        signallingSockets: 1,
        agent: { orgId: 'org-b' },
        org: { id: 'org-b', switches: 0 },
      });
  });

  test('tearing the old org down first (close 1000, peer connections closed) fixes it', async ({ lab, context }) => {
    // Stand-in for the extension's org-switch teardown: when /users/me names another
    // organisation, close every earlier socket with 1000 and every earlier peer connection
    // before the page sees the answer.
    await context.addInitScript(() => {
      const sockets: { close(code?: number): void }[] = [];
      const pcs: RTCPeerConnection[] = [];
      const NativeWebSocket = window.WebSocket;
      window.WebSocket = class extends NativeWebSocket {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          sockets.push(this);
        }
      };
      const NativePc = window.RTCPeerConnection;
      window.RTCPeerConnection = class extends NativePc {
        constructor(config?: RTCConfiguration) {
          super(config);
          pcs.push(this);
        }
      } as typeof RTCPeerConnection;
      const nativeFetch = window.fetch.bind(window);
      let org: string | null = null;
      window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
        const res = await nativeFetch(input, init);
        const url = new URL(input instanceof Request ? input.url : String(input), location.href);
        if (url.pathname === '/api/v2/users/me' && res.ok) {
          const id = ((await res.clone().json()) as { organization?: { id?: string } }).organization?.id ?? null;
          if (org !== null && id !== null && id !== org) {
            for (const s of sockets.splice(0)) s.close(1000);
            for (const pc of pcs.splice(0)) pc.close();
          }
          org = id;
        }
        return res;
      };
    });
    const page = await openAgent(context, lab, 'agent-1');
    const callId = await takeCall(lab, page);

    await page.getByRole('combobox', { name: 'Organization' }).selectOption('org-b');
    await expect
      .poll(() => status(page), { timeout: 20_000 })
      .toMatchObject({
        org: { id: 'org-b', switching: false, switches: 1 },
        agent: { orgId: 'org-b' },
        presence: 'Available',
        signalling: 'open',
        signallingSockets: 1,
        mediaReady: true,
        call: { id: callId, state: 'ended', endReason: 'media connection closed' },
      });
    await expect(page.locator('#error-log')).toContainText('code 1000');
    const healthy = await status(page);
    expect(healthy.failures.byRequest[ENDPOINT_409]).toBeUndefined();
    expect(lab.state.stats().wsConflicts).toBe(0);

    // The old instance does not reconnect after its normal close.
    const upgrades = lab.state.stats().requests['GET /api/v2/notifications 101'];
    await page.waitForTimeout(3000);
    expect(lab.state.stats().requests['GET /api/v2/notifications 101']).toBe(upgrades);
    expect((await status(page)).signallingSockets).toBe(1);

    // The next (org-b) call rings and is answered.
    const next = await control(lab, '/lab/ring', { userId: 'agent-1' });
    expect(next.delivered).toBe(1);
    await expect.poll(async () => (await status(page)).call).toMatchObject({ id: next.callId, state: 'ringing' });
    await page.evaluate(() => (window as unknown as HookWindow).labSoftphone.answer());
    expect((await status(page)).call).toMatchObject({ id: next.callId, state: 'connected' });
  });

  test('an agent of one organisation cannot switch', async ({ lab, context }) => {
    const page = await openAgent(context, lab, 'agent-3');
    await expect(page.getByRole('combobox', { name: 'Organization' }).locator('option')).toHaveText(['Contoso Support']);
    await expect(page.evaluate(() => (window as unknown as HookWindow).labSoftphone.switchOrg('org-a'))).rejects.toThrow(
      /unknown organization/,
    );
    const fault = await control(lab, '/lab/fault/org-switch', { toOrg: 'org-a' });
    expect(fault.notifiedSockets).toBe(1);
    await expect(page.locator('#error-log')).toContainText('Organization switch refused');
    expect(await status(page)).toMatchObject({ org: { id: 'org-b', switches: 0 }, presence: 'Available' });
  });
});

test.describe('org switch at the HTTP level', () => {
  const cookiesOf = (res: Response): string[] => res.headers.getSetCookie().map((c) => c.split(';')[0] ?? '');

  test('refresh with organizationId, one organisation per login session, fault parameters', async ({ lab }) => {
    const login = await fetch(`${lab.url}/login?user=agent-1&return=/`, { redirect: 'manual' });
    const [session, firstRefresh] = cookiesOf(login);
    const refresh = (cookie: string, body?: unknown) =>
      fetch(`${lab.url}/api/v2/authentication/refresh`, {
        method: 'POST',
        headers: { cookie, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const me = async (token: string) =>
      (await (await fetch(`${lab.url}/api/v2/users/me`, { headers: { Authorization: `Bearer ${token}` } })).json()) as Record<
        string,
        unknown
      >;

    const plainA = await refresh(`${session}; ${firstRefresh}`);
    const tokenA = ((await plainA.json()) as { access_token: string }).access_token;
    expect(tokenA.split('.')).toHaveLength(1); // org-a: opaque
    expect(await me(tokenA)).toMatchObject({
      id: 'agent-1',
      organization: { id: 'org-a' },
      organizations: [
        { id: 'org-a', name: 'Northwind Contact Centre' },
        { id: 'org-b', name: 'Contoso Support' },
      ],
    });

    expect((await refresh(`${session}; ${firstRefresh}`, { organizationId: 'org-x' })).status).toBe(403);
    const switched = await refresh(`${session}; ${firstRefresh}`, { organizationId: 'org-b' });
    expect(switched.status).toBe(200);
    expect(switched.headers.get('cache-control')).toBe('no-store');
    const body = (await switched.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
    expect(body.access_token.split('.')).toHaveLength(3); // org-b: JWT-shaped
    expect(await me(body.access_token)).toMatchObject({ id: 'agent-1', organization: { id: 'org-b', name: 'Contoso Support' } });
    const [orgBRefresh] = cookiesOf(switched);
    expect(orgBRefresh).toMatch(/^lab_refresh=/);
    const plainB = await refresh(`${session}; ${orgBRefresh}`);
    const tokenB = ((await plainB.json()) as { access_token: string }).access_token;
    expect(await me(tokenB)).toMatchObject({ organization: { id: 'org-b' } });

    // agent-3 is in org-b only.
    const login3 = await fetch(`${lab.url}/login?user=agent-3&return=/`, { redirect: 'manual' });
    const denied = await refresh(cookiesOf(login3).join('; '), { organizationId: 'org-a' });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ error: 'access_denied' });
    expect(lab.state.stats()).toMatchObject({ refreshCalls: 5, refreshCallsByUser: { 'agent-1': 4, 'agent-3': 1 } });

    // One organisation per login session: an org-b socket next to an open org-a one is dropped.
    const wsUrl = (t: string) => `${lab.url.replace('http', 'ws')}/api/v2/notifications?access_token=${encodeURIComponent(t)}`;
    const oldSocket = new WebSocket(wsUrl(tokenA), { headers: { cookie: session ?? '' } });
    await new Promise((resolve, reject) => {
      oldSocket.once('open', resolve);
      oldSocket.once('error', reject);
    });
    const conflicting = new WebSocket(wsUrl(tokenB), { headers: { cookie: session ?? '' } });
    expect(await new Promise<number>((resolve) => conflicting.once('close', (code) => resolve(code)))).toBe(1006);
    expect(lab.state.stats()).toMatchObject({ wsConflicts: 1, wsOpen: 1 });
    // Without the login session there is nothing to conflict with.
    const other = new WebSocket(wsUrl(tokenB));
    await new Promise((resolve, reject) => {
      other.once('open', resolve);
      other.once('error', reject);
    });
    other.close(1000);

    const putEndpoint = (token: string) =>
      fetch(`${lab.url}/api/v2/users/me/webphone/endpoint`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${token}`, cookie: session ?? '', 'Content-Type': 'application/json' },
        body: '{}',
      });
    const conflict = await putEndpoint(tokenB);
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toEqual({ message: 'connection reset', code: 'conflict', status: 409 });
    expect((await putEndpoint(tokenA)).status).toBe(200);

    // Closing the old socket normally lifts the conflict at once.
    const closed = new Promise((resolve) => oldSocket.once('close', resolve));
    oldSocket.close(1000);
    await closed;
    expect((await putEndpoint(tokenB)).status).toBe(200);
    const fresh = new WebSocket(wsUrl(tokenB), { headers: { cookie: session ?? '' } });
    await new Promise((resolve, reject) => {
      fresh.once('open', resolve);
      fresh.once('error', reject);
    });
    const push = new Promise<unknown>((resolve) => fresh.once('message', (m) => resolve(JSON.parse(String(m)))));
    expect(lab.state.injectFault('org-switch', { toOrg: 'org-a' })).toMatchObject({
      params: { toOrg: 'org-a' },
      notifiedSockets: 1,
      until: null,
    });
    expect(await push).toEqual({ topicName: 'lab.org', eventBody: { event: 'switch-organization', organizationId: 'org-a' } });
    fresh.close(1000);

    // Fault parameters: a string where the default is one, an organisation that exists.
    for (const bad of [{ toOrg: 'org-x' }, { toOrg: 3 }, { toOrg: '' }]) {
      const res = await fetch(`${lab.url}/lab/fault/org-switch`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(bad),
      });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    const faults = (await (await fetch(`${lab.url}/lab/faults`)).json()) as {
      definitions: Record<string, { implemented: boolean; defaults: unknown }>;
    };
    expect(faults.definitions['org-switch']).toMatchObject({ implemented: true, defaults: { toOrg: 'org-b' } });
  });
});
