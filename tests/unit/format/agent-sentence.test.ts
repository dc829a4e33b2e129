import { describe, expect, it } from 'vitest';
import { agentSentence, describeSession } from '../../../src/format/agent-sentence';
import type { Incident, RecoveryStep, SessionState } from '../../../src/session/types';
import type { SessionEvent } from '../../../src/session/reducer';
import { CTX, ev, run } from '../session/fixtures';
import { FORMAT_STRINGS as t } from '../../../extension/popup/strings';
import { NOW, incident, session } from './fixtures';

const step = (agoMs: number, action: RecoveryStep['action'], outcome: RecoveryStep['outcome'], detail?: string): RecoveryStep =>
  detail === undefined ? { at: NOW - agoMs, action, outcome } : { at: NOW - agoMs, action, outcome, detail };

const drop = (agoMs: number, over: Partial<Incident> = {}): Incident =>
  incident(1, agoMs, { kind: 'abnormal-close', detail: { code: 1006 }, summary: 'WebSocket closed abnormally (1006)', ...over });

const unauthorized = (agoMs: number, steps: RecoveryStep[]): Incident =>
  incident(2, agoMs, {
    kind: 'unauthorized',
    detail: { status: 401, url: 'https://api.mypurecloud.com/api/v2/communications/webRTC?x=[redacted]' },
    steps,
  });

const closed = { state: 'closed' as const, openSockets: 0, lastClose: { at: NOW - 8_000, code: 1006, reason: '', wasClean: false } };

describe('agentSentence: healthy', () => {
  it('names the heartbeat age of an open socket', () => {
    expect(agentSentence(session(), NOW, t)).toBe('All good: signalling open, heartbeat 4 s ago.');
  });
  it('does not count a message from an earlier socket as this one’s heartbeat', () => {
    const s = session({ signalling: { state: 'open', openSockets: 1, lastOpenAt: NOW - 2_000, lastMessageAt: NOW - 9_000 } });
    expect(agentSentence(s, NOW, t)).toBe('All good: signalling open.');
  });
  it('says it waits before any socket, and a clean close is fine', () => {
    expect(agentSentence(session({ signalling: { state: 'none', openSockets: 0 } }), NOW, t)).toBe(
      'All good: waiting for the softphone to connect.',
    );
    expect(agentSentence(session({ signalling: { state: 'closed', openSockets: 0 } }), NOW, t)).toBe(
      'All good: signalling closed normally.',
    );
  });
  it('trusts the reducer: a healthy session reads healthy even with a stale open incident', () => {
    expect(agentSentence(session({ incidents: [drop(60_000)] }), NOW, t)).toMatch(/^All good/);
  });
});

describe('agentSentence: signalling', () => {
  it('recovering within the grace: code, age, and waiting for the app', () => {
    const s = session({ health: 'recovering', signalling: closed, incidents: [drop(8_000)] });
    expect(agentSentence(s, NOW, t)).toBe('Signalling dropped (1006) 8 s ago; waiting for the softphone to reconnect.');
  });
  it('a publish storm (1006 and a 401 at once): reconnect, then refresh the token', () => {
    const s = session({
      health: 'recovering',
      signalling: closed,
      incidents: [drop(8_000), unauthorized(7_000, [step(6_900, 'token-refresh', 'pending')])],
    });
    expect(agentSentence(s, NOW, t)).toBe(
      'Signalling dropped (1006) 8 s ago; waiting for the softphone to reconnect, then refreshing the token.',
    );
  });
  it('a refresh in flight counts as token work too', () => {
    const s = session({ health: 'recovering', signalling: closed, refreshInFlight: true, incidents: [drop(3_000)] });
    expect(agentSentence(s, NOW, t)).toContain('then refreshing the token');
  });
  it('a close less than a second ago is "just now"', () => {
    const s = session({ health: 'recovering', signalling: closed, incidents: [drop(300)] });
    expect(agentSentence(s, NOW, t)).toBe('Signalling dropped (1006) just now; waiting for the softphone to reconnect.');
  });
  it('a close without a code', () => {
    const s = session({ health: 'recovering', incidents: [drop(2_000, { detail: {} })] });
    expect(agentSentence(s, NOW, t)).toBe('Signalling dropped 2 s ago; waiting for the softphone to reconnect.');
  });
  it('down after the grace: escalation, or what the pending safe reload says', () => {
    const plain = session({ health: 'down', signalling: closed, incidents: [drop(25_000)] });
    expect(agentSentence(plain, NOW, t)).toBe(
      'Signalling dropped (1006) 25 s ago and the softphone has not reconnected; escalating: the tab is reloaded as soon as no call is active.',
    );
    const reloading = drop(25_000, { steps: [step(1_000, 'safe-reload', 'pending', 'Reloading the tab: no call is active.')] });
    expect(agentSentence({ ...plain, incidents: [reloading] }, NOW, t)).toMatch(/; reloading the tab now \(no call is active\)\.$/);
    const inCall = drop(25_000, {
      steps: [step(1_000, 'safe-reload', 'pending', 'Not reloading: a call is active. The tab is never reloaded during a call.')],
    });
    expect(agentSentence({ ...plain, incidents: [inCall] }, NOW, t)).toMatch(/; a reload is due and waits until the call ends\.$/);
    const limit = drop(25_000, { steps: [step(1_000, 'safe-reload', 'pending', 'Not reloading: the hourly reload limit is reached.')] });
    expect(agentSentence({ ...plain, incidents: [limit] }, NOW, t)).toMatch(
      /hourly reload limit is reached, so the tab is left as it is\.$/,
    );
    const off = drop(25_000, {
      steps: [step(1_000, 'safe-reload', 'pending', 'Not reloading: safe reload is turned off by configuration.')],
    });
    expect(agentSentence({ ...plain, incidents: [off] }, NOW, t)).toMatch(/safe reload is turned off by configuration/);
  });
  it('a socket the extension closed for silence (rung 3), within and after the grace', () => {
    const byStall = drop(4_000, { detail: { code: 4000, closedBy: 'stall' } });
    expect(agentSentence(session({ health: 'recovering', incidents: [byStall] }), NOW, t)).toBe(
      'Closed the silent signalling socket 4 s ago; waiting for the softphone to reconnect.',
    );
    expect(agentSentence(session({ health: 'down', incidents: [byStall] }), NOW, t)).toMatch(
      /^Closed the silent signalling socket 4 s ago and the softphone has not reconnected; escalating/,
    );
  });
  it('a silent open socket: before rung 3, while it closes, and when closing did not help', () => {
    const sockets = { s1: { url: 'wss://x/notify', openedAt: NOW - 100_000, lastMessageAt: NOW - 42_000 } };
    const stall = (steps: RecoveryStep[]): Incident =>
      incident(3, 5_000, { kind: 'signalling-stalled', detail: { socketId: 's1' }, steps });
    const base = session({ health: 'recovering', sockets, signalling: { state: 'open', openSockets: 1 } });
    expect(agentSentence({ ...base, incidents: [stall([])] }, NOW, t)).toBe(
      'Nothing received on the signalling socket for 42 s although it is open, so calls cannot arrive; closing it unless a message comes.',
    );
    const asked = stall([step(1_000, 'stall-close', 'pending')]);
    expect(agentSentence({ ...base, incidents: [asked] }, NOW, t)).toMatch(/; closing it so the softphone reconnects\.$/);
    expect(agentSentence({ ...base, health: 'down', incidents: [asked] }, NOW, t)).toBe(
      'Nothing received on the signalling socket for 42 s, and closing it did not help; calls cannot arrive; escalating: the tab is reloaded as soon as no call is active.',
    );
    // The socket is gone: the stall no longer speaks (the close incident does).
    expect(describeSession({ ...base, sockets: {}, incidents: [stall([])] }, NOW, t).key).toBe('recovering:sentence_generic_recovering');
  });
});

describe('agentSentence: token (rung 2)', () => {
  const path = '/api/v2/communications/webRTC';
  it('just seen, refresh pending, retry pending: fetching and retrying', () => {
    for (const steps of [
      [],
      [step(900, 'token-refresh', 'pending')],
      [step(900, 'token-refresh', 'ok'), step(500, 'request-retry', 'pending')],
    ]) {
      const s = session({ health: 'recovering', incidents: [unauthorized(1_000, steps)] });
      expect(agentSentence(s, NOW, t)).toBe(`A request to ${path} was rejected (401); fetching a fresh token and retrying the request.`);
    }
  });
  it('token obtained: waiting for the next request to confirm it', () => {
    const s = session({ health: 'recovering', incidents: [unauthorized(1_000, [step(900, 'token-refresh', 'ok')])] });
    expect(agentSentence(s, NOW, t)).toBe(
      `A request to ${path} was rejected (401); a fresh token is ready; waiting for the next request to confirm it.`,
    );
  });
  it('down: which step failed, then escalation', () => {
    const cases: [RecoveryStep, string][] = [
      [step(500, 'token-refresh', 'failed'), `A request to ${path} was rejected (401) and getting a fresh token failed`],
      [step(500, 'request-retry', 'failed'), `A request to ${path} was rejected (401) again after a retry with a fresh token`],
      [step(500, 'none', 'failed'), `A request to ${path} was rejected (401) and no fresh token arrived`],
    ];
    for (const [last, problem] of cases) {
      const s = session({ health: 'down', incidents: [unauthorized(20_000, [last])] });
      expect(agentSentence(s, NOW, t)).toBe(`${problem}; escalating: the tab is reloaded as soon as no call is active.`);
    }
  });
  it('sign-in needed: says so and what the agent must do', () => {
    const s = session({
      health: 'down',
      auth: { refreshCount: 1, retries: 0, retriesRecovered: 0, signInRequired: true, lastRefreshOutcome: 'failed' },
      incidents: [unauthorized(20_000, [step(500, 'token-refresh', 'failed')])],
    });
    expect(agentSentence(s, NOW, t)).toBe('Sign-in needed: the token could not be refreshed; sign in to the softphone again.');
    // Before a dropped socket still within its grace, and when the incident that led there is gone.
    expect(agentSentence({ ...s, incidents: [drop(3_000), ...s.incidents] }, NOW, t)).toMatch(/^Sign-in needed/);
    expect(agentSentence({ ...s, incidents: [] }, NOW, t)).toMatch(/^Sign-in needed/);
  });
  it('a refresh in flight without a 401 (prevention)', () => {
    expect(agentSentence(session({ health: 'recovering', refreshInFlight: true }), NOW, t)).toBe('Refreshing the sign-in token.');
  });
  it('a 401 without a URL names no path', () => {
    const s = session({ health: 'recovering', incidents: [incident(2, 1_000, { kind: 'unauthorized', detail: { status: 401 } })] });
    expect(agentSentence(s, NOW, t)).toMatch(/^A request to a protected endpoint was rejected \(401\)/);
  });
});

describe('agentSentence: media', () => {
  it('call connection failed (down) and interrupted (degraded)', () => {
    const failed = session({ health: 'down', incidents: [incident(4, 3_000, { kind: 'ice-failed' })] });
    expect(agentSentence(failed, NOW, t)).toBe('Call audio connection failed; waiting for the softphone to reconnect it.');
    const interrupted = session({ health: 'degraded', media: { iceConnectionState: 'disconnected' } });
    expect(agentSentence(interrupted, NOW, t)).toBe('Call audio connection interrupted; waiting for it to come back.');
  });
  it('microphone blocked: why it stays blocked, per cause', () => {
    const lost = incident(5, 3_000, { kind: 'permission-lost' });
    const s = (micBlockedBy?: 'policy' | 'browser' | 'not-monitored' | 'limit') =>
      session({ health: 'down', media: { micPermission: 'denied', ...(micBlockedBy ? { micBlockedBy } : {}) }, incidents: [lost] });
    expect(agentSentence(s(), NOW, t)).toBe('Microphone blocked for this softphone; allowing it again and re-acquiring it.');
    expect(agentSentence(s('policy'), NOW, t)).toMatch(
      /^Microphone blocked in this browser's site settings\. Softphone Guard leaves that choice alone/,
    );
    expect(agentSentence(s('browser'), NOW, t)).toMatch(/the browser kept it blocked/);
    expect(agentSentence(s('not-monitored'), NOW, t)).toMatch(/not a configured softphone page/);
    expect(agentSentence(s('limit'), NOW, t)).toMatch(/unblocked too often within the hour/);
    const back = session({ health: 'recovering', media: { micPermission: 'granted' }, incidents: [lost] });
    expect(agentSentence(back, NOW, t)).toBe('Microphone allowed again; checking that it captures.');
  });
  it('microphone track ended: waiting, or re-acquiring it', () => {
    const ended = incident(6, 3_000, { kind: 'track-ended' });
    expect(agentSentence(session({ health: 'degraded', incidents: [ended] }), NOW, t)).toBe(
      'Microphone track ended; waiting for the softphone to capture it again.',
    );
    const reacquiring = { ...ended, steps: [step(1_000, 'media-reacquire', 'pending')] };
    expect(agentSentence(session({ health: 'degraded', incidents: [reacquiring] }), NOW, t)).toMatch(/; re-acquiring the microphone\.$/);
  });
  it('poor call quality lists the figures over the health thresholds', () => {
    const s = session({
      health: 'degraded',
      media: { statsAt: NOW - 1_000, connectionState: 'connected', rttMs: 612, jitterMs: 12, packetLossPct: 4.5, mos: 2.41 },
    });
    expect(agentSentence(s, NOW, t)).toBe(
      'Poor call quality (Round-trip time 612 ms, Packet loss 4.5 %, MOS 2.4); the network path is the cause; monitoring.',
    );
  });
});

describe('agentSentence: HTTP (rung 1)', () => {
  const http = (kind: Incident['kind'], status: number, steps: RecoveryStep[] = []): Incident =>
    incident(8, 5_000, { kind, detail: { status, url: 'https://api.example.com/api/v2/presence/users/u-1' }, steps });
  it('429, 408, 5xx and network errors, with retries running', () => {
    const say = (i: Incident) => agentSentence(session({ health: 'degraded', incidents: [i] }), NOW, t);
    expect(say(http('rate-limited', 429))).toBe(
      'The server is rate-limiting /api/v2/presence/users/u-1 (429); requests are retried after its Retry-After.',
    );
    expect(say(http('request-timeout', 408))).toBe('Requests to /api/v2/presence/users/u-1 are timing out (408); retrying with backoff.');
    expect(say(http('server-error', 503))).toBe('Server errors on /api/v2/presence/users/u-1 (503); retrying with backoff.');
    expect(say(http('server-error', 0))).toBe('Network errors reaching /api/v2/presence/users/u-1; retrying with backoff.');
  });
  it('retries over and failed: says so (a pending retry is not over)', () => {
    const say = (steps: RecoveryStep[]) =>
      agentSentence(session({ health: 'degraded', incidents: [http('request-timeout', 408, steps)] }), NOW, t);
    expect(say([step(3_000, 'request-retry', 'failed')])).toMatch(/\(408\); the retries failed too;/);
    expect(say([step(3_000, 'request-retry', 'failed'), step(1_000, 'request-retry', 'pending')])).toMatch(/retrying with backoff\.$/);
  });
});

describe('agentSentence: choosing among several problems', () => {
  it('the sentence matches the health the reducer decided', () => {
    const incidents = [drop(5_000), incident(5, 3_000, { kind: 'permission-lost' })];
    const media = { micPermission: 'denied' as const, micBlockedBy: 'policy' as const };
    expect(agentSentence(session({ health: 'down', incidents, media }), NOW, t)).toMatch(/^Signalling dropped \(1006\) 5 s ago and/);
    expect(agentSentence(session({ health: 'recovering', incidents, media }), NOW, t)).toMatch(/^Signalling dropped \(1006\) 5 s ago;/);
  });
  it('a state the reducer would not produce still gets a true sentence', () => {
    const s = session({ health: 'degraded', incidents: [drop(6_000)] });
    expect(agentSentence(s, NOW, t)).toBe('Signalling dropped (1006) 6 s ago; waiting for the softphone to reconnect.');
  });
  it('nothing to point at: a plain sentence per health', () => {
    expect(agentSentence(session({ health: 'degraded' }), NOW, t)).toMatch(/^Something is not quite right/);
    expect(agentSentence(session({ health: 'recovering' }), NOW, t)).toMatch(/^Softphone Guard is recovering/);
    expect(agentSentence(session({ health: 'down' }), NOW, t)).toMatch(/^The softphone is not working/);
  });
  it('an ended session says when its tab closed', () => {
    expect(agentSentence(session({ alive: false, endedAt: NOW - 120_000 }), NOW, t)).toBe('The tab was closed 2 min ago.');
    expect(agentSentence(session({ alive: false }), NOW, t)).toBe('The tab was closed.');
  });
});

describe('describeSession key', () => {
  it('stays the same while only the age ticks, and changes with the news', () => {
    const s = session({ health: 'recovering', signalling: closed, incidents: [drop(8_000)] });
    const a = describeSession(s, NOW, t);
    const b = describeSession(s, NOW + 60_000, t);
    expect(a.text).not.toBe(b.text);
    expect(a.key).toBe(b.key);
    expect(a.key).toBe('recovering:problem_dropped+action_waitReconnect');
    expect(describeSession({ ...s, health: 'down' }, NOW, t).key).not.toBe(a.key);
    expect(describeSession(session(), NOW, t).key).toBe('healthy:sentence_healthyHeartbeat');
  });
});

describe('agentSentence: frames and workers', () => {
  const path = '/api/v2/communications/webRTC';
  const embedded = { frameId: 11, embedderOrigin: 'https://crm.test' };
  const outOfReach = (
    reach: 'worker' | 'shared-worker',
    steps: RecoveryStep[] = [step(19_000, 'none', 'failed', 'From a worker')],
  ): Incident => {
    const base = unauthorized(20_000, steps);
    return { ...base, detail: { ...base.detail, outOfReach: reach } };
  };

  it('an embedded softphone: the escalation reloads the softphone frame, not the tab', () => {
    const drop25 = session({ health: 'down', signalling: closed, incidents: [drop(25_000)], embedded });
    expect(agentSentence(drop25, NOW, t)).toBe(
      'Signalling dropped (1006) 25 s ago and the softphone has not reconnected; escalating: the softphone frame (not the page around it) is reloaded as soon as no call is active.',
    );
    const token = session({ health: 'down', incidents: [unauthorized(20_000, [step(500, 'token-refresh', 'failed')])], embedded });
    expect(agentSentence(token, NOW, t)).toBe(
      `A request to ${path} was rejected (401) and getting a fresh token failed; escalating: the softphone frame (not the page around it) is reloaded as soon as no call is active.`,
    );
    expect(describeSession(token, NOW, t).key).toBe('down:problem_tokenRefreshFailed+action_escalatingFrame');
    // The same without `embedded` says the tab.
    expect(agentSentence({ ...token, embedded: undefined }, NOW, t)).toMatch(
      /; escalating: the tab is reloaded as soon as no call is active\.$/,
    );
  });

  it('an embedded softphone: a reload under way names the frame', () => {
    const reloading = drop(25_000, {
      steps: [step(1_000, 'safe-reload', 'pending', 'Reloading the softphone frame (not the page around it): no call is active.')],
    });
    const s = session({ health: 'down', signalling: closed, incidents: [reloading], embedded });
    expect(agentSentence(s, NOW, t)).toMatch(/; reloading the softphone frame now, not the page around it \(no call is active\)\.$/);
  });

  it('a 401 from the SharedWorker: every page sharing it is reloaded together', () => {
    const s = session({ health: 'down', incidents: [outOfReach('shared-worker')] });
    expect(agentSentence(s, NOW, t)).toBe(
      `The softphone's SharedWorker was refused on ${path} (401), and a fresh token cannot be given to a worker; escalating: every page sharing its SharedWorker is reloaded together as soon as none is in a call.`,
    );
    // Embedded or not: the SharedWorker's pages are what is reloaded.
    expect(agentSentence({ ...s, embedded }, NOW, t)).toMatch(/every page sharing its SharedWorker is reloaded together/);
  });

  it('a 401 from a dedicated Worker: the tab (or the frame) is reloaded', () => {
    const s = session({ health: 'down', incidents: [outOfReach('worker')] });
    expect(agentSentence(s, NOW, t)).toBe(
      `The softphone's Worker was refused on ${path} (401), and a fresh token cannot be given to a worker; escalating: the tab is reloaded as soon as no call is active.`,
    );
    expect(agentSentence({ ...s, embedded }, NOW, t)).toMatch(/; escalating: the softphone frame \(not the page around it\) is reloaded/);
  });

  it('through the reducer: a SharedWorker 401, its escalation, then the reload of its pages', () => {
    const WORKER_URL = `https://api.mypurecloud.com${path}`;
    const G = CTX.reconnectGraceMs;
    const fed: SessionEvent[] = [
      ev.hello(NOW),
      {
        ...(ev.http(NOW + 1_000, 401, path, { transport: 'webrequest', reach: 'shared-worker' }) as Extract<
          SessionEvent,
          { type: 'http' }
        >),
        url: WORKER_URL,
      },
    ];
    const opened = run(fed).state;
    const view = (st: SessionState, now: number) => describeSession({ ...st, alive: true }, now, t);
    expect(view(opened, NOW + 1_000 + G + 1)).toEqual({
      text: `The softphone's SharedWorker was refused on ${path} (401), and a fresh token cannot be given to a worker; escalating: every page sharing its SharedWorker is reloaded together as soon as none is in a call.`,
      key: 'down:problem_tokenInSharedWorker+action_escalatingSharedWorker',
    });
    const id = opened.incidents.find((i) => i.kind === 'unauthorized')!.id;
    const reloadAt = NOW + 1_000 + G + 1;
    const reloading = run(
      [{ type: 'safe-reload', at: reloadAt, cause: 'token-not-recovered', incidentId: id, scope: 'shared-worker', pages: 2 }],
      CTX,
      opened,
    ).state;
    const said = view(reloading, reloadAt + 100);
    expect(said.text).toMatch(/every page sharing the softphone's SharedWorker now \(none is in a call\)\.$/);
    expect(said.text).not.toMatch(/fetching a fresh token/);
  });

  it('a 401 whose reload is under way or deferred says so, not that a token is being fetched', () => {
    const reloadingTab = unauthorized(20_000, [
      step(19_000, 'token-refresh', 'failed'),
      step(500, 'safe-reload', 'pending', 'Reloading the tab: no call is active.'),
    ]);
    expect(describeSession(session({ health: 'recovering', incidents: [reloadingTab] }), NOW, t)).toEqual({
      text: `A request to ${path} was rejected (401) and getting a fresh token failed; reloading the tab now (no call is active).`,
      key: 'recovering:problem_tokenRefreshFailed+action_reloading',
    });
    const waits = unauthorized(20_000, [
      step(19_000, 'none', 'failed'),
      step(500, 'safe-reload', 'pending', 'Not reloading: a call is active. The tab is never reloaded during a call.'),
    ]);
    expect(agentSentence(session({ health: 'recovering', incidents: [waits] }), NOW, t)).toBe(
      `A request to ${path} was rejected (401) and no fresh token arrived; a reload is due and waits until the call ends.`,
    );
    const frame = outOfReach('worker', [
      step(19_000, 'none', 'failed', 'From a worker'),
      step(500, 'safe-reload', 'pending', 'Reloading the softphone frame (not the page around it): no call is active.'),
    ]);
    expect(agentSentence(session({ health: 'recovering', incidents: [frame], embedded }), NOW, t)).toBe(
      `The softphone's Worker was refused on ${path} (401), and a fresh token cannot be given to a worker; reloading the softphone frame now, not the page around it (no call is active).`,
    );
  });
});
