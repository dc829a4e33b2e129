import { describe, expect, it } from 'vitest';
import { MAX_STEPS_PER_INCIDENT } from '../../../src/session/incidents';
import type { SessionEvent } from '../../../src/session/reducer';
import { CTX, ORIGIN, TAB, WS_URL, ev, healthChanges, run, s } from './fixtures';

const WEBRTC = '/api/v2/communications/webRTC';

describe('unauthorized incident', () => {
  it('opens on a protected 401 and records it in the auth view', () => {
    const { state, effects } = run([ev.http(s(1), 401, WEBRTC)]);
    expect(state.auth).toMatchObject({ last401At: s(1), last401Url: `${ORIGIN}${WEBRTC}` });
    expect(state.incidents).toEqual([
      {
        id: `${TAB}:1`,
        tabId: TAB,
        kind: 'unauthorized',
        openedAt: s(1),
        lastSeenAt: s(1),
        summary: `Token rejected (401) on ${WEBRTC}`,
        detail: { status: 401, url: `${ORIGIN}${WEBRTC}`, count: 1 },
        steps: [],
      },
    ]);
    expect(state.health).toBe('recovering');
    expect(state.healthReason).toBe('Token rejected; fetching a fresh one.');
    expect(healthChanges(effects)).toEqual(['healthy→recovering']);
  });

  it('ignores a 401 on a request that is not protected', () => {
    const { state, effects } = run([ev.http(s(1), 401, '/login', { protected: false })]);
    expect(state.incidents).toEqual([]);
    expect(state.auth.last401At).toBeUndefined();
    expect(effects).toEqual([]);
  });

  it('opens on token-needed and folds further 401s into the same incident', () => {
    const { state } = run([ev.tokenNeeded(s(1), WEBRTC), ev.http(s(1), 401, WEBRTC), ev.http(s(2), 401, '/api/v2/users/me')]);
    expect(state.incidents).toHaveLength(1);
    expect(state.incidents[0]?.detail).toEqual({ status: 401, url: `${ORIGIN}${WEBRTC}`, count: 3 });
    expect(state.auth.last401Url).toBe(`${ORIGIN}/api/v2/users/me`);
  });

  it("opens on a socket's refused credentials as on a 401 of its URL, and a token-needed folds into it", () => {
    const { state } = run([ev.wsAuthRefused(s(1)), ev.tokenNeeded(s(1), WEBRTC)]);
    expect(state.incidents).toHaveLength(1);
    expect(state.incidents[0]).toMatchObject({ kind: 'unauthorized', detail: { status: 401, url: WS_URL, count: 2 } });
    expect(state.auth.last401Url).toBe(`${ORIGIN}${WEBRTC}`);
  });

  it('ends an upgrade refusal when that socket opens again, and only then', () => {
    const other = WS_URL.replace('/channels/c1', '/channels/c2');
    const r = run([
      ev.wsAuthRefused(s(1), 'upgrade', 'wr-1'),
      ev.refreshStarted(s(1) + 5),
      ev.refreshSucceeded(s(1) + 200, s(3600)),
      ev.wsOpen(s(2), 's2', other),
      ev.wsOpen(s(3), 's3', `${WS_URL}&fresh=1`),
    ]);
    expect(other).not.toBe(WS_URL);
    expect(r.healths).toEqual(['recovering', 'recovering', 'recovering', 'recovering', 'healthy']);
    const incident = r.state.incidents[0];
    expect(incident?.detail).toMatchObject({ socketRefusal: 'upgrade', url: WS_URL });
    expect(incident?.resolvedAt).toBe(s(3));
    expect(incident?.steps.at(-1)).toMatchObject({
      action: 'none',
      outcome: 'ok',
      detail: expect.stringMatching(/^The socket \/\S+ was let in again\.$/),
    });
  });

  it('keeps a refusal inside an open socket (SASL failure) open when a socket opens', () => {
    const { state } = run([ev.wsAuthRefused(s(1), 'sasl-failure'), ev.wsOpen(s(2))]);
    expect(state.incidents[0]?.resolvedAt).toBeUndefined();
    expect(state.incidents[0]?.detail.socketRefusal).toBe('sasl-failure');
  });

  it('records refresh pending → ok and resolves on a recovered retry', () => {
    const r = run([
      ev.tokenNeeded(s(1), WEBRTC),
      ev.refreshStarted(s(1) + 5),
      ev.refreshSucceeded(s(1) + 250, s(3600)),
      ev.httpRetry(s(1) + 300, 'recovered', WEBRTC),
    ]);
    expect(r.healths).toEqual(['recovering', 'recovering', 'recovering', 'healthy']);
    const incident = r.state.incidents[0];
    expect(incident?.resolvedAt).toBe(s(1) + 300);
    expect(incident?.steps).toEqual([
      { at: s(1) + 5, action: 'token-refresh', outcome: 'ok', detail: 'Fresh token obtained.' },
      { at: s(1) + 300, action: 'request-retry', outcome: 'ok', detail: `Retried GET ${WEBRTC}: 200.` },
    ]);
    expect(r.state.auth).toMatchObject({
      refreshCount: 1,
      lastRefreshAt: s(1) + 250,
      lastRefreshOutcome: 'ok',
      tokenExpiresAt: s(3600),
      retries: 1,
      retriesRecovered: 1,
    });
    expect(r.state.refreshInFlight).toBe(false);
    expect(r.effects.map((e) => e.type)).toEqual([
      'incident-opened',
      'health-changed',
      'incident-updated',
      'incident-updated',
      'incident-updated',
      'health-changed',
    ]);
  });

  it('says the token is waiting for confirmation once the refresh succeeded', () => {
    const { state } = run([ev.tokenNeeded(s(1), WEBRTC), ev.refreshStarted(s(1)), ev.refreshSucceeded(s(2))]);
    expect(state.health).toBe('recovering');
    expect(state.healthReason).toBe('Fresh token obtained; waiting for the next request to confirm it.');
  });

  it('starts the incident with a pending step when a refresh is already in flight', () => {
    const { state } = run([ev.refreshStarted(s(1)), ev.tokenNeeded(s(2), WEBRTC)]);
    expect(state.incidents[0]?.steps).toEqual([{ at: s(2), action: 'token-refresh', outcome: 'pending' }]);
  });

  it('adds one pending step however many refresh-started arrive', () => {
    const { state } = run([ev.tokenNeeded(s(1), WEBRTC), ev.refreshStarted(s(1)), ev.refreshStarted(s(2))]);
    expect(state.incidents[0]?.steps).toHaveLength(1);
    expect(state.auth.refreshCount).toBe(2);
  });

  it('goes down when the refresh fails and back to recovering on the next attempt', () => {
    const r = run([ev.tokenNeeded(s(1), WEBRTC), ev.refreshStarted(s(1)), ev.refreshFailed(s(2), 'refresh endpoint returned 401')]);
    expect(r.state.health).toBe('down');
    expect(r.state.healthReason).toBe('Token rejected and getting a fresh one failed; escalating recovery.');
    expect(r.state.auth).toMatchObject({ lastRefreshOutcome: 'failed', lastRefreshError: 'refresh endpoint returned 401' });
    expect(r.state.incidents[0]?.steps).toEqual([
      { at: s(1), action: 'token-refresh', outcome: 'failed', detail: 'refresh endpoint returned 401' },
    ]);

    const again = run([ev.refreshStarted(s(30)), ev.refreshSucceeded(s(31)), ev.http(s(32), 200, WEBRTC)], CTX, r.state);
    expect(again.healths).toEqual(['recovering', 'recovering', 'healthy']);
    expect(again.state.auth.lastRefreshError).toBeUndefined();
    expect(again.state.incidents[0]?.resolvedAt).toBe(s(32));
    expect(again.state.incidents[0]?.steps.at(-1)).toEqual({
      at: s(32),
      action: 'none',
      outcome: 'ok',
      detail: `A later protected request (${WEBRTC}) succeeded.`,
    });
    expect(healthChanges([...r.effects, ...again.effects])).toEqual([
      'healthy→recovering',
      'recovering→down',
      'down→recovering',
      'recovering→healthy',
    ]);
  });

  it('clips a long refresh error in the step', () => {
    const { state } = run([ev.tokenNeeded(s(1), WEBRTC), ev.refreshFailed(s(2), 'x'.repeat(500))]);
    expect(state.incidents[0]?.steps[0]?.detail).toHaveLength(120);
  });

  it('goes down when the retry with a fresh token is rejected again', () => {
    const { state } = run([
      ev.tokenNeeded(s(1), WEBRTC),
      ev.refreshStarted(s(1)),
      ev.refreshSucceeded(s(2)),
      ev.httpRetry(s(2), 'failed', WEBRTC),
    ]);
    expect(state.health).toBe('down');
    expect(state.healthReason).toBe('Token rejected again after a retry; escalating recovery.');
    expect(state.auth).toMatchObject({ retries: 1, retriesRecovered: 0 });
  });

  it('opens an incident for a failed retry that finds none open', () => {
    const { state } = run([ev.httpRetry(s(1), 'failed', WEBRTC)]);
    expect(state.incidents[0]).toMatchObject({
      kind: 'unauthorized',
      steps: [{ at: s(1), action: 'request-retry', outcome: 'failed', detail: `Retried GET ${WEBRTC}: 401.` }],
    });
    expect(state.health).toBe('down');
  });

  it('counts a recovered retry with no open incident without opening one', () => {
    const { state } = run([ev.httpRetry(s(1), 'recovered', WEBRTC)]);
    expect(state.incidents).toEqual([]);
    expect(state.auth).toMatchObject({ retries: 1, retriesRecovered: 1 });
  });

  it('goes down when no refresh starts within the grace', () => {
    const r = run([ev.tokenNeeded(s(1), WEBRTC), ev.tick(s(11)), ev.tick(s(11) + 1)]);
    expect(r.healths).toEqual(['recovering', 'recovering', 'down']);
    expect(r.state.healthReason).toBe('Token rejected and no fresh token arrived; escalating recovery.');
    expect(r.state.incidents[0]?.steps).toEqual([
      { at: s(11) + 1, action: 'none', outcome: 'failed', detail: 'No fresh token within 10 s.' },
    ]);
  });

  it('resolves on a later protected success but not on an unprotected one', () => {
    const open = run([ev.tokenNeeded(s(1), WEBRTC), ev.http(s(2), 200, '/public/thing', { protected: false })]);
    expect(open.state.incidents[0]?.resolvedAt).toBeUndefined();
    const closed = run([ev.http(s(3), 204, '/api/v2/users/me')], CTX, open.state);
    expect(closed.state.incidents[0]?.resolvedAt).toBe(s(3));
    expect(closed.state.health).toBe('healthy');
  });

  it('leaves refresh events without an open incident out of the incident list', () => {
    const r = run([ev.refreshStarted(s(1)), ev.refreshSucceeded(s(2), s(3602))]);
    expect(r.healths).toEqual(['recovering', 'healthy']);
    expect(r.state.incidents).toEqual([]);
    expect(r.state.auth.tokenExpiresAt).toBe(s(3602));
    expect(r.effects).toEqual([
      { type: 'health-changed', from: 'healthy', to: 'recovering' },
      { type: 'health-changed', from: 'recovering', to: 'healthy' },
    ]);
  });

  it('says a proactive refresh is under way', () => {
    expect(run([ev.refreshStarted(s(1))]).state.healthReason).toBe('Refreshing the sign-in token.');
  });

  it('keeps at most MAX_STEPS_PER_INCIDENT steps, the newest', () => {
    const events: SessionEvent[] = [ev.tokenNeeded(s(0), WEBRTC)];
    for (let k = 1; k <= 30; k++) events.push(ev.refreshStarted(s(k)), ev.refreshFailed(s(k) + 1, `failure ${k}`));
    const steps = run(events).state.incidents[0]?.steps ?? [];
    expect(steps).toHaveLength(MAX_STEPS_PER_INCIDENT);
    expect(steps.at(-1)?.detail).toBe('failure 30');
    expect(steps[0]?.detail).toBe('failure 11');
  });
});
