/**
 * Rung 1 of the recovery ladder (docs/architecture.md §3) in real Chromium with the built extension
 * against the softphone lab: idempotent requests that get 408 / 429 / 503 are sent again
 * after a full-jitter backoff that honours Retry-After, and the softphone never sees those
 * answers; a POST is never sent twice.
 */
import { expect, test } from './support/fixture';
import type { LabLoggedRequest } from '../lab/server.mjs';
import { appStatus, recoveredFromStorm, labPost, labStats, openPopup, sessionOf } from './support/softphone';
import type { Lab } from './support/softphone';

const ENDPOINT = '/api/v2/users/me/webphone/endpoint';
const PRESENCE = '/api/v2/presence/users/{id}';

async function requestLog(lab: Lab): Promise<LabLoggedRequest[]> {
  const body = (await (await fetch(`${lab.url}/lab/requests`)).json()) as { requests: LabLoggedRequest[] };
  return body.requests;
}

test('renegotiation-timeout: the webphone-endpoint PUT (XHR) is retried with backoff and the app never sees a 408', async ({
  lab,
  context,
  agent,
}) => {
  await labPost(lab, '/lab/reset');
  // Two 408s reach the browser, each after 1 s of added latency (seed 002's high-latency region).
  await labPost(lab, '/lab/fault/renegotiation-timeout', { count: 2, latencyMs: 1000, durationMs: 60_000 });
  await labPost(lab, '/lab/ring', { userId: 'agent-1' });
  await expect.poll(async () => (await appStatus(agent)).call.state).toBe('ringing');

  // Answering renegotiates the codecs through PUT …/webphone/endpoint; a failure there ends the call.
  const call = await agent.evaluate(() =>
    (window as unknown as { labSoftphone: { answer(): Promise<{ state: string }> } }).labSoftphone.answer(),
  );
  expect(call.state).toBe('connected');

  const status = await appStatus(agent);
  expect(status.failures.http408).toBe(0);
  expect(status.failures.byRequest[`PUT ${ENDPOINT} 408`] ?? 0).toBe(0);
  const stats = await labStats(lab);
  expect(stats.requests[`PUT ${ENDPOINT} 408`] ?? 0).toBeGreaterThanOrEqual(2);
  expect(stats.requests[`PUT ${ENDPOINT} 200`]).toBe(1);

  const popup = await openPopup(context);
  await expect
    .poll(async () => {
      const incident = (await sessionOf(popup, 'agent-1'))?.incidents.find((i) => i.kind === 'request-timeout');
      return incident && { resolved: incident.resolvedAt !== undefined, steps: incident.steps.map((s) => [s.action, s.outcome]) };
    })
    .toEqual({
      resolved: true,
      steps: [
        ['request-retry', 'failed'],
        ['request-retry', 'ok'],
      ],
    });
  await expect(popup.getByText(`Request timed out (408) on ${ENDPOINT}`)).toBeVisible();
  await expect(popup.getByText('Retried the request — page saw success').first()).toBeVisible();
});

test('publish-storm: the presence PUT (fetch) waits for Retry-After after each 429 and the app never sees a 429', async ({
  lab,
  context,
  agent,
}) => {
  await labPost(lab, '/lab/reset');
  const retryAfterMs = 2000;
  await labPost(lab, '/lab/fault/publish-storm', { retryAfterSeconds: retryAfterMs / 1000, rateLimitMs: 6000 });

  await recoveredFromStorm(agent);

  const status = await appStatus(agent);
  expect(status.failures.http429).toBe(0);
  expect(status.failures.byRequest[`PUT ${PRESENCE} 429`] ?? 0).toBe(0);

  const puts = (await requestLog(lab)).filter((r) => r.method === 'PUT' && r.path === PRESENCE);
  const limited = puts.filter((r) => r.status === 429);
  expect(limited.length).toBeGreaterThanOrEqual(1);
  expect(puts.at(-1)?.status).toBe(200);
  // Every presence PUT after a 429 arrived no earlier than Retry-After after that 429 was sent.
  for (let i = 0; i < puts.length - 1; i++) {
    const [answer, next] = [puts[i]!, puts[i + 1]!];
    if (answer.status !== 429) continue;
    expect(next.receivedAt - answer.answeredAt, `PUT #${i + 2} after a 429`).toBeGreaterThanOrEqual(retryAfterMs);
  }

  const popup = await openPopup(context);
  const limitedIncident = async () => (await sessionOf(popup, 'agent-1'))?.incidents.find((i) => i.kind === 'rate-limited');
  await expect.poll(async () => (await limitedIncident())?.resolvedAt !== undefined).toBe(true);
  const steps = (await limitedIncident())!.steps;
  expect(steps.at(-1)).toMatchObject({ action: 'request-retry', outcome: 'ok' });
  expect(steps.filter((s) => s.action === 'request-retry')).toHaveLength(limited.length);
});

test('a POST that gets 503 is sent once; idempotent requests (and a POST with an Idempotency-Key) are retried', async ({ lab, agent }) => {
  await labPost(lab, '/lab/reset');
  await labPost(lab, '/lab/fault/server-down', { durationMs: 3000 });

  const seen = await agent.evaluate(async () => {
    const post = fetch('/api/v2/conversations/backoff-test/answer', { method: 'POST' }).then((r) => r.status);
    const xhrPost = new Promise<number>((resolve) => {
      const x = new XMLHttpRequest();
      x.open('POST', '/api/v2/users/me/webphone/endpoint');
      x.onloadend = () => resolve(x.status);
      x.send('{}');
    });
    const get = fetch('/api/v2/presence/users/agent-1').then((r) => r.status);
    const keyed = fetch('/api/v2/conversations/backoff-test/disconnect', { method: 'POST', headers: { 'Idempotency-Key': 'k-1' } }).then(
      (r) => r.status,
    );
    return { post: await post, xhrPost: await xhrPost, get: await get, keyed: await keyed };
  });
  // The page got the POSTs' 503 as the server sent it.
  expect(seen.post).toBe(503);
  expect(seen.xhrPost).toBe(503);

  const log = await requestLog(lab);
  const count = (method: string, path: string) => log.filter((r) => r.method === method && r.path === path).length;
  expect(count('POST', '/api/v2/conversations/{id}/answer')).toBe(1);
  expect(count('POST', ENDPOINT)).toBe(1);
  // The same 503 on an idempotent GET, and on a POST that carries an Idempotency-Key, was retried.
  expect(count('GET', PRESENCE)).toBeGreaterThanOrEqual(2);
  expect(count('POST', '/api/v2/conversations/{id}/disconnect')).toBeGreaterThanOrEqual(2);
  expect(count('GET', PRESENCE)).toBeLessThanOrEqual(5);
});
