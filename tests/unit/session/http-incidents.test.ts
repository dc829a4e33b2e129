import { describe, expect, it } from 'vitest';
import { HTTP_QUIET_RESOLVE_MS } from '../../../src/session/incident-rules';
import { CTX, ORIGIN, ev, healthChanges, run, s } from './fixtures';

const PRESENCE = '/api/v2/presence/users/u-1';
const ENDPOINT = '/api/v2/users/me/webphone/endpoint';

describe('rate-limited, request-timeout and server-error incidents', () => {
  it('opens rate-limited on 429 with the Retry-After and the request key', () => {
    const { state, effects } = run([ev.http(s(1), 429, `${PRESENCE}?expand=x`, { retryAfter: '5' })]);
    expect(state.incidents[0]).toMatchObject({
      kind: 'rate-limited',
      summary: `Rate limited (429) on ${PRESENCE}`,
      detail: { status: 429, url: `${ORIGIN}${PRESENCE}`, retryAfter: '5', count: 1 },
      steps: [],
    });
    expect(state.health).toBe('degraded');
    expect(state.healthReason).toBe(`The server is rate-limiting ${PRESENCE} (429); requests are retried after its Retry-After.`);
    expect(healthChanges(effects)).toEqual(['healthy→degraded']);
  });

  it('folds repeats on the same path whatever the query, keeping the newest Retry-After', () => {
    const { state } = run([
      ev.http(s(1), 429, `${PRESENCE}?a=1`, { retryAfter: '5' }),
      ev.http(s(2), 429, `${PRESENCE}?a=2`),
      ev.http(s(3), 429, `${PRESENCE}#frag`, { retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' }),
    ]);
    expect(state.incidents).toHaveLength(1);
    expect(state.incidents[0]?.detail).toMatchObject({ count: 3, retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' });
    expect(state.incidents[0]?.lastSeenAt).toBe(s(3));
  });

  it('keeps one incident per path and per kind', () => {
    const { state } = run([
      ev.http(s(1), 429, PRESENCE),
      ev.http(s(1), 429, '/api/v2/presence/users/u-2'),
      ev.http(s(1), 503, PRESENCE),
      ev.http(s(1), 408, PRESENCE),
    ]);
    expect(state.incidents.map((i) => i.kind)).toEqual(['request-timeout', 'server-error', 'rate-limited', 'rate-limited']);
  });

  it.each([
    [
      408,
      'request-timeout',
      `Request timed out (408) on ${ENDPOINT}`,
      `Requests to ${ENDPOINT} are timing out (408); retrying with backoff.`,
    ],
    [500, 'server-error', `Server error (500) on ${ENDPOINT}`, `Server errors on ${ENDPOINT} (500); retrying with backoff.`],
    [503, 'server-error', `Server error (503) on ${ENDPOINT}`, `Server errors on ${ENDPOINT} (503); retrying with backoff.`],
    [599, 'server-error', `Server error (599) on ${ENDPOINT}`, `Server errors on ${ENDPOINT} (599); retrying with backoff.`],
  ])('status %i opens %s', (status, kind, summary, reason) => {
    const { state } = run([ev.http(s(1), status, ENDPOINT, { method: 'PUT' })]);
    expect(state.incidents[0]).toMatchObject({ kind, summary, detail: { status } });
    expect(state.health).toBe('degraded');
    expect(state.healthReason).toBe(reason);
  });

  it('opens server-error for a network error (status 0) with its error text', () => {
    const { state } = run([ev.http(s(1), 0, ENDPOINT, { error: 'TypeError: Failed to fetch' })]);
    expect(state.incidents[0]).toMatchObject({
      kind: 'server-error',
      summary: `Network error on ${ENDPOINT}`,
      detail: { status: 0, reason: 'TypeError: Failed to fetch' },
    });
    expect(state.healthReason).toBe(`Network errors reaching ${ENDPOINT}; retrying with backoff.`);
  });

  it.each([400, 403, 404, 409, 422, 499])('ignores status %i', (status) => {
    const { state, effects } = run([ev.http(s(1), status, ENDPOINT)]);
    expect(state.incidents).toEqual([]);
    expect(effects).toEqual([]);
  });

  it.each([200, 204, 302, 304])('resolves every kind on the same path on a later %i', (status) => {
    const { state } = run([
      ev.http(s(1), 429, ENDPOINT),
      ev.http(s(1), 408, ENDPOINT),
      ev.http(s(1), 502, ENDPOINT),
      ev.http(s(2), status, `${ENDPOINT}?again=1`),
    ]);
    expect(state.incidents.every((i) => i.resolvedAt === s(2))).toBe(true);
    expect(state.incidents[0]?.steps).toEqual([
      { at: s(2), action: 'none', outcome: 'ok', detail: `A later request to ${ENDPOINT} succeeded.` },
    ]);
    expect(state.health).toBe('healthy');
  });

  it('does not resolve on a success elsewhere', () => {
    const { state } = run([ev.http(s(1), 429, PRESENCE), ev.http(s(2), 200, ENDPOINT)]);
    expect(state.incidents[0]?.resolvedAt).toBeUndefined();
    expect(state.health).toBe('degraded');
  });

  it('resolves after 60 s without recurrence, counted from the last recurrence', () => {
    const quiet = HTTP_QUIET_RESOLVE_MS;
    const r = run([ev.http(s(0), 429, PRESENCE), ev.http(s(30), 429, PRESENCE), ev.tick(s(30) + quiet - 1)]);
    expect(r.state.incidents[0]?.resolvedAt).toBeUndefined();
    const done = run([ev.tick(s(30) + quiet)], CTX, r.state);
    expect(done.state.incidents[0]).toMatchObject({
      resolvedAt: s(30) + quiet,
      steps: [{ at: s(30) + quiet, action: 'none', outcome: 'ok', detail: 'No recurrence for 60 s.' }],
    });
    expect(done.state.health).toBe('healthy');
    expect(done.effects.map((e) => e.type)).toEqual(['incident-updated', 'health-changed']);
  });

  it('opens a new incident for a recurrence after resolution', () => {
    const { state } = run([ev.http(s(0), 503, PRESENCE), ev.tick(s(60)), ev.http(s(61), 503, PRESENCE)]);
    expect(state.incidents).toHaveLength(2);
    expect(state.incidents[0]?.resolvedAt).toBeUndefined();
    expect(state.incidents[1]?.resolvedAt).toBe(s(60));
  });

  it('shortens long paths in summaries and strips the origin', () => {
    const long = `/api/${'x'.repeat(300)}`;
    const summary = run([ev.http(s(0), 500, long)]).state.incidents[0]?.summary ?? '';
    expect(summary.startsWith('Server error (500) on /api/x')).toBe(true);
    expect(summary.endsWith('…')).toBe(true);
    expect(summary.length).toBeLessThan(160);
  });
});
