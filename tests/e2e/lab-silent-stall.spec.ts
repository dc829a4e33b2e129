/**
 * The lab's `silent-stall` fault, WITHOUT the extension: a half-open connection. Only the
 * notification sockets open at injection go silent (no heartbeats, pushes or pongs; what they
 * send is ignored) for `durationMs` or until cleared; a socket opened afterwards works
 * normally, and `POST /lab/ring` counts as delivered only pushes really written. The `ws`
 * library still completes a client's closing handshake on a stalled socket.
 */
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import WebSocket from 'ws';
import { openAgent } from './support/softphone';
import type { Lab } from './support/softphone';

interface StallStatus {
  presence: string;
  signalling: string;
  lastHeartbeatAt: number | null;
  call: { id: string | null; state: string };
}
type HookWindow = Window & { labSoftphone: { status(): StallStatus } };

const status = (page: Page): Promise<StallStatus> => page.evaluate(() => (window as unknown as HookWindow).labSoftphone.status());

async function control(lab: Lab, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${lab.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${method} ${path} answered ${res.status}`).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

test.describe('silent stall in the app, without the extension', () => {
  test.use({ labOptions: { heartbeatMs: 1000 }, withExtension: false });

  test('the socket open at injection goes silent; a socket opened later works', async ({ lab, context }) => {
    const stalled = await openAgent(context, lab, 'agent-1');
    await expect.poll(async () => (await status(stalled)).lastHeartbeatAt).not.toBeNull();

    const fault = await control(lab, 'POST', '/lab/fault/silent-stall', { durationMs: 60_000 });
    expect(fault).toMatchObject({ fault: 'silent-stall', stalledSockets: 1 });
    const before = (await status(stalled)).lastHeartbeatAt ?? 0;
    await stalled.waitForTimeout(3000);
    // Half-open: the app sees an open socket that says nothing.
    expect(await status(stalled)).toMatchObject({ signalling: 'open', presence: 'Available', lastHeartbeatAt: before });
    expect((await control(lab, 'POST', '/lab/ring', { userId: 'agent-1' })).delivered).toBe(0);

    // A socket opened during the fault is not stalled: heartbeats, pushes.
    const fresh = await openAgent(context, lab, 'agent-2');
    await expect.poll(async () => (await status(fresh)).lastHeartbeatAt).not.toBeNull();
    const firstBeat = (await status(fresh)).lastHeartbeatAt ?? 0;
    await expect.poll(async () => (await status(fresh)).lastHeartbeatAt ?? 0).toBeGreaterThan(firstBeat);
    const ring = await control(lab, 'POST', '/lab/ring', { userId: 'agent-2' });
    expect(ring.delivered).toBe(1);
    await expect.poll(async () => (await status(fresh)).call).toMatchObject({ id: ring.callId, state: 'ringing' });
    expect((await status(stalled)).call.state).toBe('idle');

    // Clearing the fault ends the stall.
    await control(lab, 'DELETE', '/lab/fault/silent-stall');
    await expect.poll(async () => (await status(stalled)).lastHeartbeatAt ?? 0).toBeGreaterThan(before);
  });
});

test.describe('silent stall at the socket level', () => {
  test.use({ labOptions: { heartbeatMs: 300 } });

  test('stalledSockets, pongs, ring delivery, durationMs bound and the closing handshake', async ({ lab }) => {
    const login = await fetch(`${lab.url}/login?user=agent-1&return=/`, { redirect: 'manual' });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const refreshed = await fetch(`${lab.url}/api/v2/authentication/refresh`, { method: 'POST', headers: { cookie } });
    const token = ((await refreshed.json()) as { access_token: string }).access_token;
    const url = `${lab.url.replace('http', 'ws')}/api/v2/notifications?access_token=${encodeURIComponent(token)}`;

    /** An open socket recording every message it gets. */
    async function socket(): Promise<{ ws: WebSocket; messages: Array<{ topicName: string; eventBody: Record<string, unknown> }> }> {
      const ws = new WebSocket(url);
      const messages: Array<{ topicName: string; eventBody: Record<string, unknown> }> = [];
      ws.on('message', (m) => messages.push(JSON.parse(String(m))));
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      return { ws, messages };
    }
    const pongs = (s: { messages: Array<{ eventBody: Record<string, unknown> }> }) =>
      s.messages.filter((m) => m.eventBody.message === 'pong').length;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    const a = await socket();
    const fault = lab.state.injectFault('silent-stall', { durationMs: 2500 });
    expect(fault.stalledSockets).toBe(1);
    const aSeen = a.messages.length;
    const b = await socket();
    a.ws.send(JSON.stringify({ message: 'ping' }));
    b.ws.send(JSON.stringify({ message: 'ping' }));
    expect(lab.state.ring({ userId: 'agent-1' }).delivered).toBe(1);
    await sleep(1000);
    expect(a.messages.length).toBe(aSeen);
    expect(pongs(b)).toBe(1);
    expect(b.messages.some((m) => m.topicName === 'v2.users.agent-1.conversations')).toBe(true);
    expect(b.messages.filter((m) => m.eventBody.message === 'WebSocket Heartbeat').length).toBeGreaterThanOrEqual(2);
    expect(pongs(a)).toBe(0); // the ping sent during the stall is dropped, not answered later

    // durationMs bounds the stall of the sockets it caught.
    await expect.poll(() => a.messages.length, { timeout: 5000 }).toBeGreaterThan(aSeen);
    expect(lab.state.stats().faults['silent-stall']).toBeUndefined();

    // A client closing a stalled socket still completes the closing handshake (ws answers it).
    const again = lab.state.injectFault('silent-stall', { durationMs: 60_000 });
    expect(again.stalledSockets).toBe(2);
    const closed = new Promise<number>((resolve) => b.ws.once('close', (code) => resolve(code)));
    b.ws.close(4000, 'stalled');
    expect(await closed).toBe(4000);
    // reset() clears the fault and the stall with it.
    const seen = a.messages.length;
    lab.state.reset();
    await expect.poll(() => a.messages.length, { timeout: 5000 }).toBeGreaterThan(seen);
    a.ws.close(1000);
  });
});
