/**
 * Baseline: WITHOUT the extension the lab reproduces the seeds. After a publish storm
 * (seeds 000/001) the softphone sees a 1006 close, goes Unreachable, gets a 401 on the
 * media-token fetch, greys mic and speaker out, and stays stuck until the page is reloaded.
 * Also checks the lab's OAuth (PKCE, single-use codes), refresh counting and storm effects
 * at the HTTP level.
 */
import { expect, test } from './support/fixture';
import type { Page } from '@playwright/test';
import { createHash, randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { Lab } from '../lab/server.mjs';

interface SoftphoneStatus {
  loggedIn: boolean;
  agent: { id: string; name: string; orgId: string } | null;
  presence: 'Connecting' | 'Available' | 'Unreachable';
  signalling: 'connecting' | 'open' | 'closed';
  mediaReady: boolean;
  micEnabled: boolean;
  speakerEnabled: boolean;
  call: { id: string | null; state: string; inboundAudioBytes: number };
  failures: {
    http401: number;
    http429: number;
    http408: number;
    http5xx: number;
    httpOther: number;
    wsAbnormalCloses: number;
    byRequest: Record<string, number>;
  };
  loadCount: number;
  startedAt: number;
}
interface SoftphoneHook {
  status(): SoftphoneStatus;
  answer(): Promise<unknown>;
  hangup(): Promise<unknown>;
}
type HookWindow = Window & { labSoftphone: SoftphoneHook };

const MEDIA_401 = 'GET /api/v2/communications/webRTC 401';

async function status(page: Page): Promise<SoftphoneStatus> {
  return page.evaluate(() => (window as unknown as HookWindow).labSoftphone.status());
}

async function control(lab: Lab, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${lab.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${path} answered ${res.status}`).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function expectHealthy(page: Page): Promise<void> {
  await expect
    .poll(() => status(page))
    .toMatchObject({
      loggedIn: true,
      agent: { id: 'agent-1', name: 'Alex Rivera', orgId: 'org-a' },
      presence: 'Available',
      signalling: 'open',
      mediaReady: true,
      micEnabled: true,
      speakerEnabled: true,
    });
  await expect(page.getByRole('button', { name: 'Microphone' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Speaker' })).toBeEnabled();
  await expect(page.getByRole('status', { name: 'Presence: Available' })).toBeVisible();
}

test.describe('softphone lab without the extension', () => {
  test.use({ withExtension: false });

  test('a publish storm leaves the agent stuck until a reload (seeds 000/001)', async ({ lab, context }) => {
    const page = await context.newPage();
    await page.goto(`${lab.url}/login?user=agent-1&return=/`);
    await expectHealthy(page);
    await expect(page).not.toHaveURL(/[?&]code=/);
    expect((await status(page)).loadCount).toBe(1);

    // A real call over loopback WebRTC: answer, connected, inbound audio growing.
    const ring = await control(lab, '/lab/ring', { userId: 'agent-1' });
    expect(ring.delivered).toBe(1);
    await expect.poll(async () => (await status(page)).call).toMatchObject({ id: ring.callId, state: 'ringing' });
    await page.evaluate(() => (window as unknown as HookWindow).labSoftphone.answer());
    const first = (await status(page)).call;
    expect(first.state).toBe('connected');
    await expect.poll(async () => (await status(page)).call.inboundAudioBytes).toBeGreaterThan(first.inboundAudioBytes);
    await page.evaluate(() => (window as unknown as HookWindow).labSoftphone.hangup());
    await expect.poll(async () => (await status(page)).call.state).toBe('ended');
    expect((await status(page)).failures.http401).toBe(0);

    // The storm: tokens revoked, socket dropped without a close frame, presence rate-limited.
    const storm = await control(lab, '/lab/fault/publish-storm', {});
    expect(storm.terminatedSockets).toBe(1);
    await expect
      .poll(() => status(page))
      .toMatchObject({
        presence: 'Unreachable',
        mediaReady: false,
        micEnabled: false,
        speakerEnabled: false,
        failures: { byRequest: { [MEDIA_401]: 1 } },
      });
    const afterStorm = await status(page);
    expect(afterStorm.signalling).not.toBe('open');
    expect(afterStorm.failures.wsAbnormalCloses).toBeGreaterThanOrEqual(1);
    await expect(page.getByRole('button', { name: 'Microphone' })).toBeDisabled();
    await expect(page.getByRole('button', { name: 'Speaker' })).toBeDisabled();
    await expect(page.getByRole('button', { name: 'Microphone' })).toHaveClass(/greyed/);
    await expect(page.locator('#error-log')).toContainText('code 1006');
    await expect(page.locator('#error-log')).toContainText('/api/v2/communications/webRTC → 401');

    // Still stuck 12 s later: the app reconnects with its revoked token, forever.
    await page.waitForTimeout(12_000);
    const later = await status(page);
    expect(later).toMatchObject({ presence: 'Unreachable', mediaReady: false, micEnabled: false, speakerEnabled: false });
    expect(later.signalling).not.toBe('open');
    expect(later.failures.byRequest[MEDIA_401]).toBe(1); // it never asks again
    expect(later.failures.wsAbnormalCloses).toBeGreaterThan(afterStorm.failures.wsAbnormalCloses);
    const stats = lab.state.stats();
    expect(stats.requests['GET /api/v2/notifications 401']).toBeGreaterThanOrEqual(2);
    expect(stats.refreshCalls).toBe(0);
    // An incoming call cannot be answered.
    await control(lab, '/lab/ring', { userId: 'agent-1' });
    await expect(page.getByRole('button', { name: 'Answer' })).toBeDisabled();

    // A hard refresh signs in again with the still-valid session cookie and fixes everything.
    await page.reload();
    await expectHealthy(page);
    const reloaded = await status(page);
    expect(reloaded.loadCount).toBe(2);
    expect(reloaded.failures.http401).toBe(0);
    expect(lab.state.stats().pageLoads).toBe(2);
  });
});

test.describe('softphone lab HTTP API', () => {
  function cookiesOf(res: Response): string {
    return res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
  }

  async function authorize(lab: Lab, cookie: string, challenge: string, extra: Record<string, string> = {}): Promise<URL> {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: 'api-test',
      redirect_uri: `${lab.url}/cb`,
      state: 's1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    });
    const res = await fetch(`${lab.url}/oauth/authorize?${q}`, { headers: { cookie }, redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location') ?? '', lab.url);
  }

  async function exchange(lab: Lab, code: string, verifier: string): Promise<Response> {
    return fetch(`${lab.url}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: `${lab.url}/cb`,
        client_id: 'api-test',
      }),
    });
  }

  test('OAuth with PKCE, single-use codes, cookie refresh and storm effects', async ({ lab }) => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');

    // No session: prompt=none answers login_required; otherwise the login page.
    const noSession = await authorize(lab, '', challenge, { prompt: 'none' });
    expect(noSession.searchParams.get('error')).toBe('login_required');
    expect(noSession.searchParams.get('state')).toBe('s1');
    expect((await authorize(lab, '', challenge)).pathname).toBe('/login');
    const foreign = await fetch(
      `${lab.url}/oauth/authorize?response_type=code&client_id=x&redirect_uri=${encodeURIComponent('http://evil.example/cb')}&code_challenge=${challenge}&code_challenge_method=S256`,
      { redirect: 'manual' },
    );
    expect(foreign.status).toBe(400);

    const login = await fetch(`${lab.url}/login?user=agent-3&return=/`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    const setCookies = login.headers.getSetCookie();
    expect(setCookies.find((c) => c.startsWith('lab_session='))).toMatch(/HttpOnly; SameSite=Lax/);
    expect(setCookies.find((c) => c.startsWith('lab_refresh='))).toMatch(/Path=\/api\/v2\/authentication;.*HttpOnly/);
    const cookie = cookiesOf(login);

    // A wrong verifier fails PKCE and burns the code.
    const code1 = (await authorize(lab, cookie, challenge)).searchParams.get('code') ?? '';
    const bad = await exchange(lab, code1, randomBytes(32).toString('base64url'));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await exchange(lab, code1, verifier)).status).toBe(400);

    // The right verifier gets an RFC 6749 §5.1 answer; org-b tokens are JWT-shaped.
    const code2 = (await authorize(lab, cookie, challenge)).searchParams.get('code') ?? '';
    const ok = await exchange(lab, code2, verifier);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const tok = (await ok.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(tok).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
    const parts = tok.access_token.split('.');
    expect(parts).toHaveLength(3);
    const payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(payload).toMatchObject({ sub: 'agent-3', org: 'org-b' });
    const me = await fetch(`${lab.url}/api/v2/users/me`, { headers: { Authorization: `Bearer ${tok.access_token}` } });
    expect(await me.json()).toMatchObject({ id: 'agent-3', organization: { id: 'org-b', name: 'Contoso Support' } });

    // Reusing a code is refused and revokes the token it produced (RFC 6749 §4.1.2).
    const reuse = await exchange(lab, code2, verifier);
    expect(reuse.status).toBe(400);
    const revoked = await fetch(`${lab.url}/api/v2/users/me`, { headers: { Authorization: `Bearer ${tok.access_token}` } });
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await revoked.json()).toEqual({ message: expect.any(String), code: 'bad.credentials', status: 401 });

    // Cookie refresh: counted every time, whatever the outcome.
    const refreshUrl = `${lab.url}/api/v2/authentication/refresh`;
    expect((await fetch(refreshUrl, { method: 'POST' })).status).toBe(401);
    const refreshed = await fetch(refreshUrl, { method: 'POST', headers: { cookie } });
    expect(refreshed.status).toBe(200);
    const fresh = ((await refreshed.json()) as { access_token: string }).access_token;
    expect(lab.state.stats()).toMatchObject({ refreshCalls: 2, refreshCallsByUser: { 'agent-3': 1, '(none)': 1 } });

    // The notification socket takes the token from its URL.
    const wsUrl = (t: string) => `${lab.url.replace('http', 'ws')}/api/v2/notifications?access_token=${encodeURIComponent(t)}`;
    const ws = new WebSocket(wsUrl(fresh));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

    // Publish storm: tokens revoked, socket dropped (1006), presence 429 before auth, refresh still fine.
    const storm = lab.state.publishStorm({ retryAfterSeconds: 2, rateLimitMs: 5000 });
    expect(storm).toMatchObject({ terminatedSockets: 1 });
    expect(await closed).toBe(1006);
    const presence = await fetch(`${lab.url}/api/v2/presence/users/agent-3`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ presenceDefinition: { systemPresence: 'Available' } }),
    });
    expect(presence.status).toBe(429);
    expect(presence.headers.get('retry-after')).toBe('2');
    expect((await fetch(`${lab.url}/api/v2/communications/webRTC`, { headers: { Authorization: `Bearer ${fresh}` } })).status).toBe(401);
    const rejected = new WebSocket(wsUrl(fresh));
    const upgradeStatus = await new Promise<number>((resolve) => {
      rejected.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        rejected.terminate();
      });
      rejected.once('error', () => resolve(-1));
    });
    expect(upgradeStatus).toBe(401);
    const again = await fetch(refreshUrl, { method: 'POST', headers: { cookie } });
    expect(again.status).toBe(200);
    const newest = ((await again.json()) as { access_token: string }).access_token;
    const media = await fetch(`${lab.url}/api/v2/communications/webRTC`, { headers: { Authorization: `Bearer ${newest}` } });
    expect(await media.json()).toMatchObject({
      mediaToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      expiresIn: 300,
      iceServers: [],
    });
    const stats = lab.state.stats();
    expect(stats.refreshCalls).toBe(3);
    expect(stats.faults['publish-storm']).toMatchObject({ retryAfterSeconds: 2, rateLimitMs: 5000 });
    expect(stats.requests['PUT /api/v2/presence/users/{id} 429']).toBe(1);
    expect(stats.requests['GET /api/v2/notifications 401']).toBe(1);
  });
});
