import { describe, expect, it } from 'vitest';
import { HTTP_QUIET_RESOLVE_MS } from '../../../src/session/incident-rules';
import { MAX_RETRY_WAIT_MS } from '../../../src/recovery/backoff';
import { CTX, ORIGIN, ev, healthChanges, run, s } from './fixtures';

const ENDPOINT = '/api/v2/users/me/webphone/endpoint';
const PRESENCE = '/api/v2/presence/users/u-1';

describe('backoff retries (rung 1) as steps of HTTP incidents', () => {
  it('a hidden 408 opens request-timeout with a pending retry; the recovered retry resolves it', () => {
    const { state, effects } = run([
      ev.http(s(1), 408, ENDPOINT, { method: 'PUT', hiddenFromPage: true }),
      ev.httpRetry(s(2), 'recovered', ENDPOINT, 200, 'backoff', 'PUT'),
      ev.http(s(2), 200, ENDPOINT, { method: 'PUT' }),
    ]);
    expect(state.incidents).toHaveLength(1);
    expect(state.incidents[0]).toMatchObject({
      kind: 'request-timeout',
      resolvedAt: s(2),
      detail: { status: 408, url: `${ORIGIN}${ENDPOINT}`, count: 1 },
      steps: [{ at: s(1), action: 'request-retry', outcome: 'ok', detail: `Retried PUT ${ENDPOINT}: 200.` }],
    });
    expect(state.health).toBe('healthy');
    expect(healthChanges(effects)).toEqual(['healthy→degraded', 'degraded→healthy']);
    // The auth counters are about fresh tokens: backoff retries do not count there.
    expect(state.auth).toMatchObject({ retries: 0, retriesRecovered: 0 });
  });

  it('the pending step says when the probe sends it again', () => {
    const { state } = run([ev.http(s(1), 429, PRESENCE, { method: 'PUT', hiddenFromPage: true, retryAfter: '3' })]);
    expect(state.incidents[0]?.steps).toEqual([
      {
        at: s(1),
        action: 'request-retry',
        outcome: 'pending',
        detail: `Sending PUT ${PRESENCE} again after the server's Retry-After (3).`,
      },
    ]);
    expect(state.health).toBe('degraded');
  });

  it('each retry of a request is one step: failed ones, then the one that recovered', () => {
    const { state } = run([
      ev.http(s(1), 429, PRESENCE, { method: 'PUT', hiddenFromPage: true, retryAfter: '3' }),
      ev.httpRetry(s(4), 'failed', PRESENCE, 429, 'backoff', 'PUT'),
      ev.http(s(4), 429, PRESENCE, { method: 'PUT', hiddenFromPage: true, retryAfter: '3' }),
      ev.httpRetry(s(7), 'recovered', PRESENCE, 200, 'backoff', 'PUT'),
    ]);
    const incident = state.incidents[0];
    expect(incident?.resolvedAt).toBe(s(7));
    expect(incident?.detail.count).toBe(2);
    expect(incident?.steps.map((st) => [st.at, st.outcome, st.detail])).toEqual([
      [s(1), 'failed', `Retried PUT ${PRESENCE}: 429.`],
      [s(4), 'ok', `Retried PUT ${PRESENCE}: 200.`],
    ]);
  });

  it('a retry that fails differently settles the step of the incident it was retrying', () => {
    const { state } = run([
      ev.http(s(1), 408, ENDPOINT, { method: 'PUT', hiddenFromPage: true }),
      ev.httpRetry(s(2), 'failed', ENDPOINT, 503, 'backoff', 'PUT'),
      ev.http(s(2), 503, ENDPOINT, { method: 'PUT' }),
    ]);
    const timeout = state.incidents.find((i) => i.kind === 'request-timeout');
    const server = state.incidents.find((i) => i.kind === 'server-error');
    expect(timeout?.steps).toEqual([{ at: s(1), action: 'request-retry', outcome: 'failed', detail: `Retried PUT ${ENDPOINT}: 503.` }]);
    expect(server?.steps).toEqual([]);
    expect(state.health).toBe('degraded');
  });

  it('a retry ending in a network error says so', () => {
    const { state } = run([ev.http(s(1), 503, ENDPOINT, { hiddenFromPage: true }), ev.httpRetry(s(2), 'failed', ENDPOINT, 0, 'backoff')]);
    expect(state.incidents[0]?.steps[0]).toMatchObject({ outcome: 'failed', detail: `Retried GET ${ENDPOINT}: network error.` });
  });

  it('a 429 the probe gave up on (Retry-After above 120 s) gets a failed step that says why', () => {
    const { state } = run([ev.http(s(1), 429, PRESENCE, { method: 'PUT', retryAfter: '600', retryGivenUp: 'wait-too-long' })]);
    expect(state.incidents[0]).toMatchObject({
      kind: 'rate-limited',
      detail: { retryAfter: '600' },
      steps: [
        {
          at: s(1),
          action: 'request-retry',
          outcome: 'failed',
          detail: 'Not retried: the server asked to wait (Retry-After: 600) longer than 120 s.',
        },
      ],
    });
    expect(state.health).toBe('degraded');
  });

  it('a failure seen by webRequest is not a retry of the probe, hidden or not', () => {
    const { state } = run([ev.http(s(1), 503, ENDPOINT, { transport: 'webrequest', hiddenFromPage: true })]);
    expect(state.incidents[0]?.steps).toEqual([]);
  });

  it('a backoff retry with no incident to attach to changes nothing', () => {
    const before = run([ev.hello(s(0))]).state;
    const after = run([ev.httpRetry(s(1), 'recovered', ENDPOINT, 200, 'backoff')], CTX, before).state;
    expect(after.incidents).toEqual([]);
    expect(after.auth).toEqual(before.auth);
  });

  it('a 401 retry is still about the token, not about HTTP incidents', () => {
    const { state } = run([
      ev.http(s(1), 503, ENDPOINT, { hiddenFromPage: true }),
      ev.http(s(2), 401, ENDPOINT, { protected: true }),
      ev.httpRetry(s(3), 'recovered', ENDPOINT, 200, 'unauthorized'),
    ]);
    expect(state.incidents.find((i) => i.kind === 'unauthorized')?.resolvedAt).toBe(s(3));
    expect(state.incidents.find((i) => i.kind === 'server-error')?.steps).toEqual([
      expect.objectContaining({ action: 'request-retry', outcome: 'pending' }),
    ]);
    expect(state.auth).toMatchObject({ retries: 1, retriesRecovered: 1 });
  });

  it('an incident whose retry is pending is not resolved by quiet time until the longest wait has passed', () => {
    const quiet = s(1) + HTTP_QUIET_RESOLVE_MS;
    const pending = run([ev.http(s(1), 429, PRESENCE, { hiddenFromPage: true, retryAfter: '100' }), ev.tick(quiet + 1000)]);
    expect(pending.state.incidents[0]?.resolvedAt).toBeUndefined();
    const givenUp = run([ev.tick(s(1) + MAX_RETRY_WAIT_MS + HTTP_QUIET_RESOLVE_MS)], CTX, pending.state);
    expect(givenUp.state.incidents[0]?.resolvedAt).toBe(s(1) + MAX_RETRY_WAIT_MS + HTTP_QUIET_RESOLVE_MS);
    // Without a pending retry, quiet time resolves as before.
    const settled = run([
      ev.http(s(1), 429, PRESENCE, { hiddenFromPage: true }),
      ev.httpRetry(s(2), 'failed', PRESENCE, 429, 'backoff'),
      ev.tick(s(1) + HTTP_QUIET_RESOLVE_MS),
    ]);
    expect(settled.state.incidents[0]?.resolvedAt).toBe(s(1) + HTTP_QUIET_RESOLVE_MS);
  });

  it('a new document settles a retry the old one was still waiting for as failed', () => {
    const { state } = run([ev.http(s(1), 503, ENDPOINT, { hiddenFromPage: true }), ev.hello(s(2))]);
    expect(state.incidents[0]?.resolvedAt).toBeUndefined();
    expect(state.incidents[0]?.steps).toEqual([
      { at: s(1), action: 'request-retry', outcome: 'failed', detail: 'The page was reloaded before the retry was answered.' },
    ]);
    // Nothing pending any more: quiet time resolves it as usual.
    expect(run([ev.tick(s(2) + HTTP_QUIET_RESOLVE_MS)], CTX, state).state.incidents[0]?.resolvedAt).toBeDefined();
  });
});
