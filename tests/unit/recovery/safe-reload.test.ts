import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { callActive, decideSafeReload, reloadCause, reloadTarget } from '../../../src/recovery/safe-reload';
import { DEFAULT_CONFIG } from '../../../src/policy/schema';
import type { Config } from '../../../src/policy/schema';
import { createSession, reduceSession } from '../../../src/session/reducer';
import type { SessionEvent } from '../../../src/session/reducer';
import type { SessionState } from '../../../src/session/types';
import { CTX, T0, TAB, ev } from '../session/fixtures';

const config: Config = { ...DEFAULT_CONFIG, tokenRefresh: { ...DEFAULT_CONFIG.tokenRefresh, strategy: 'reload-when-idle' } };
const GRACE = config.watchdog.reconnectGraceMs;

function run(events: SessionEvent[], from?: SessionState): SessionState {
  let s = from ?? createSession(TAB, T0);
  for (const e of events) s = reduceSession(s, e, CTX).state;
  return s;
}

const stormed = (): SessionState =>
  run([
    ev.hello(T0),
    ev.wsOpen(T0 + 1),
    ev.wsClose(T0 + 10, 1006, false),
    ev.http(T0 + 11, 401, '/api/v2/communications/webRTC', { protected: true }),
  ]);

describe('safe reload (rung 5)', () => {
  it('is not called for while the grace runs, then is', () => {
    const s = stormed();
    expect(reloadCause(s, T0 + 12, config)).toBeNull();
    expect(reloadCause(s, T0 + 11 + GRACE + 1, config)).toBe('token-not-recovered');
    expect(decideSafeReload({ session: s, now: T0 + 11 + GRACE + 1, config, recentReloads: [] })).toEqual({
      reload: true,
      cause: 'token-not-recovered',
      incidentId: s.incidents.find((i) => i.kind === 'unauthorized')?.id,
    });
  });

  it("waits while a page sharing the softphone's SharedWorker is in a call: they are reloaded together", () => {
    const s = stormed();
    const due = T0 + 11 + GRACE + 1;
    const quiet = { iceConnectionState: 'closed', connectionState: 'closed' } as const;
    const talking = { iceConnectionState: 'connected', connectionState: 'connected' } as const;
    expect(decideSafeReload({ session: s, now: due, config, recentReloads: [], sharedWith: [quiet] })).toMatchObject({ reload: true });
    expect(decideSafeReload({ session: s, now: due, config, recentReloads: [], sharedWith: [quiet, talking] })).toMatchObject({
      reload: false,
      reason: 'call-active',
      cause: 'token-not-recovered',
    });
    // Audio still arriving in the other page within quietMs counts as a call too.
    const audio = { inboundGrewAt: due - 1000 };
    expect(decideSafeReload({ session: s, now: due, config, recentReloads: [], sharedWith: [audio] })).toMatchObject({
      reload: false,
      reason: 'call-active',
    });
  });

  it('never reloads while a call is active, whatever failed', () => {
    const inCall = run([
      ev.hello(T0),
      {
        type: 'pc-state',
        at: T0 + 1,
        pcId: 'pc1',
        iceConnectionState: 'connected',
        connectionState: 'connected',
        signalingState: 'stable',
      },
      ev.wsOpen(T0 + 2),
      ev.wsClose(T0 + 10, 1006, false),
      ev.http(T0 + 11, 401, '/api/v2/communications/webRTC', { protected: true }),
    ]);
    const later = T0 + 10 * 60_000;
    expect(reloadCause(inCall, later, config)).not.toBeNull();
    expect(decideSafeReload({ session: inCall, now: later, config, recentReloads: [] })).toMatchObject({
      reload: false,
      reason: 'call-active',
    });
  });

  it('treats audio that grew within quietMs as a call, even with the connection already closed', () => {
    expect(callActive({ connectionState: 'closed', inboundGrewAt: T0 }, T0 + 1000, 5000)).toBe(true);
    expect(callActive({ connectionState: 'closed', inboundGrewAt: T0 }, T0 + 5000, 5000)).toBe(false);
    expect(callActive({ iceConnectionState: 'completed' }, T0, 0)).toBe(true);
  });

  it('holds the hourly limit and the off switch', () => {
    const s = stormed();
    const now = T0 + 11 + GRACE + 1;
    const max = config.safeReload.maxPerHour;
    const recent = Array.from({ length: max }, (_, i) => now - 1000 * (i + 1));
    expect(decideSafeReload({ session: s, now, config, recentReloads: recent })).toMatchObject({ reload: false, reason: 'hourly-limit' });
    expect(decideSafeReload({ session: s, now, config, recentReloads: recent.map((t) => t - 3_600_000) })).toMatchObject({ reload: true });
    const off = { ...config, safeReload: { ...config.safeReload, enabled: false } };
    expect(decideSafeReload({ session: s, now, config: off, recentReloads: [] })).toMatchObject({ reload: false, reason: 'disabled' });
  });

  it('gives the reloaded page the grace again before another reload', () => {
    const s = stormed();
    const reloadAt = T0 + 11 + GRACE + 1;
    const after = run([
      ev.hello(T0),
      ev.wsOpen(T0 + 1),
      ev.wsClose(T0 + 10, 1006, false),
      ev.http(T0 + 11, 401, '/api/v2/communications/webRTC', { protected: true }),
      { type: 'safe-reload', at: reloadAt, cause: 'token-not-recovered' },
      ev.hello(reloadAt + 500),
    ]);
    expect(s.incidents.length).toBeGreaterThan(0);
    expect(reloadCause(after, reloadAt + 1000, config)).toBeNull();
    expect(reloadCause(after, reloadAt + 2 * GRACE + 1, config)).not.toBeNull();
    const unauthorized = after.incidents.find((i) => i.kind === 'unauthorized');
    expect(unauthorized?.steps.some((st) => st.action === 'safe-reload' && st.outcome === 'ok')).toBe(true);
  });

  it('a connected call always blocks the reload (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 * 3_600_000 }),
        fc.array(fc.integer({ min: 0, max: 3_600_000 }), { maxLength: 5 }),
        (dt, reloads) => {
          const s = { ...stormed(), media: { connectionState: 'connected' } };
          return decideSafeReload({ session: s, now: T0 + dt, config, recentReloads: reloads.map((r) => T0 + dt - r) }).reload === false;
        },
      ),
    );
  });
});

describe('safe reload with a token strategy', () => {
  it('does not reload for a 401 the extension had no token to act on', () => {
    const cookie: Config = DEFAULT_CONFIG;
    const s = run([ev.hello(T0), ev.wsOpen(T0 + 1), ev.http(T0 + 11, 401, '/api/v2/users/me', { protected: true })]);
    expect(reloadCause(s, T0 + 10 * 60_000, cookie)).toBeNull();
  });
});

describe('safe reload when sign-in is needed', () => {
  it('does not reload into a login page; the popup asks for the sign-in instead', () => {
    const s = run([
      ev.hello(T0),
      ev.tokenNeeded(T0 + 1, '/api/v2/communications/webRTC'),
      ev.refreshStarted(T0 + 2),
      { type: 'refresh-failed', at: T0 + 3, error: 'login_required', signInRequired: true },
    ]);
    expect(reloadCause(s, T0 + 10 * 60_000, DEFAULT_CONFIG)).toBeNull();
  });
});

describe('safe reload when a protected request was not recovered (request-not-recovered)', () => {
  const WEBRTC = '/api/v2/communications/webRTC';
  const cookie: Config = DEFAULT_CONFIG;
  const GRACE_MS = cookie.watchdog.reconnectGraceMs;

  /** The lab's server-down: the media-token GET is answered 503 through all four backoff retries. */
  const outlasted = (path = WEBRTC, status = 503): SessionEvent[] => [
    ev.hello(T0),
    ev.http(T0 + 1000, status, path, { hiddenFromPage: true }),
    ev.httpRetry(T0 + 2000, 'failed', path, status, 'backoff'),
    ev.http(T0 + 2000, status, path, { hiddenFromPage: true }),
    ev.httpRetry(T0 + 4000, 'failed', path, status, 'backoff'),
    ev.http(T0 + 4000, status, path, { hiddenFromPage: true }),
    ev.httpRetry(T0 + 8000, 'failed', path, status, 'backoff'),
    ev.http(T0 + 8000, status, path, { hiddenFromPage: true }),
    ev.httpRetry(T0 + 12_000, 'failed', path, status, 'backoff'),
    ev.http(T0 + 12_000, status, path),
  ];
  const LAST = T0 + 12_000;

  it('is due once nothing happened on the request for twice the grace after its last failed retry', () => {
    const s = run(outlasted());
    const incident = s.incidents.find((i) => i.kind === 'server-error');
    expect(incident?.resolvedAt).toBeUndefined();
    expect(reloadCause(s, LAST + 2 * GRACE_MS, cookie)).toBeNull();
    expect(reloadTarget(s, LAST + 2 * GRACE_MS + 1, cookie)).toEqual({ cause: 'request-not-recovered', incidentId: incident?.id });
    expect(decideSafeReload({ session: s, now: LAST + 2 * GRACE_MS + 1, config: cookie, recentReloads: [] })).toEqual({
      reload: true,
      cause: 'request-not-recovered',
      incidentId: incident?.id,
    });
  });

  it('applies to request timeouts (408) and rate limits (429) alike', () => {
    expect(reloadCause(run(outlasted('/api/v2/users/me/webphone/endpoint', 408)), LAST + 2 * GRACE_MS + 1, cookie)).toBe(
      'request-not-recovered',
    );
    expect(reloadCause(run(outlasted('/api/v2/presence/users/u-1', 429)), LAST + 2 * GRACE_MS + 1, cookie)).toBe('request-not-recovered');
  });

  it('is not due when the page’s own later request to the same endpoint succeeds', () => {
    const s = run([...outlasted(), ev.http(LAST + 5000, 200, `${WEBRTC}?again=1`)]);
    expect(s.incidents.find((i) => i.kind === 'server-error')?.resolvedAt).toBe(LAST + 5000);
    expect(reloadCause(s, LAST + 10 * GRACE_MS, cookie)).toBeNull();
  });

  it('is not due while a retry is still pending, nor before any retry failed', () => {
    const pending = run(outlasted().slice(0, 8));
    expect(reloadCause(pending, LAST + 10 * GRACE_MS, cookie)).toBeNull();
    const unretried = run([ev.hello(T0), ev.http(T0 + 1000, 503, WEBRTC)]);
    expect(reloadCause(unretried, T0 + 50_000, cookie)).toBeNull();
  });

  it('counts twice the grace from the latest failure', () => {
    const again = run([...outlasted(), ev.http(LAST + 15_000, 503, WEBRTC)]);
    expect(reloadCause(again, LAST + 2 * GRACE_MS + 1, cookie)).toBeNull();
    expect(reloadCause(again, LAST + 15_000 + 2 * GRACE_MS + 1, cookie)).toBe('request-not-recovered');
  });

  it('a reload deferred by a call is still due when the call ends, however long the call lasted', () => {
    const due = LAST + 2 * GRACE_MS + 1;
    const deferred = run([...outlasted(), { type: 'reload-deferred', at: due, reason: 'call-active', cause: 'request-not-recovered' }]);
    // A long call: far past the 60 s quiet rule that resolves other HTTP incidents.
    const later = run([{ type: 'tick', at: due + 30 * 60_000 }], deferred);
    expect(later.incidents.find((i) => i.kind === 'server-error')?.resolvedAt).toBeUndefined();
    expect(reloadCause(later, due + 30 * 60_000, cookie)).toBe('request-not-recovered');
    // A deferral for another reason (reloads turned off) does not keep the incident open.
    const disabled = run([...outlasted(), { type: 'reload-deferred', at: due, reason: 'disabled', cause: 'request-not-recovered' }]);
    const quiet = run([{ type: 'tick', at: due + 30 * 60_000 }], disabled);
    expect(quiet.incidents.find((i) => i.kind === 'server-error')?.resolvedAt).toBe(due + 30 * 60_000);
  });

  it('is only for requests matching protectedRequestPatterns', () => {
    expect(reloadCause(run(outlasted('/static/app.js')), LAST + 10 * GRACE_MS, cookie)).toBeNull();
    const narrow: Config = { ...cookie, protectedRequestPatterns: ['*/api/v2/users/*'] };
    expect(reloadCause(run(outlasted()), LAST + 2 * GRACE_MS + 1, narrow)).toBeNull();
  });

  it('does not reload against the server’s wish: a 429 not retried because Retry-After was too long', () => {
    const s = run([
      ev.hello(T0),
      ev.http(T0 + 1000, 429, '/api/v2/presence/users/u-1', { retryAfter: '600', retryGivenUp: 'wait-too-long' }),
    ]);
    expect(reloadCause(s, T0 + 50_000, cookie)).toBeNull();
  });

  it('does not reload for failures only webRequest saw (the probe did not retry them)', () => {
    const s = run([ev.hello(T0), ev.http(T0 + 1000, 503, WEBRTC, { transport: 'webrequest' })]);
    expect(reloadCause(s, T0 + 50_000, cookie)).toBeNull();
  });

  it('keeps every guard: never during a call, the hourly limit, the off switch', () => {
    const now = LAST + 2 * GRACE_MS + 1;
    const inCall = run([...outlasted(), ev.pcState(T0 + 13_000, 'connected', 'connected')]);
    expect(decideSafeReload({ session: inCall, now, config: cookie, recentReloads: [] })).toMatchObject({
      reload: false,
      reason: 'call-active',
      cause: 'request-not-recovered',
    });
    const s = run(outlasted());
    const full = Array.from({ length: cookie.safeReload.maxPerHour }, (_, i) => now - 1000 * (i + 1));
    expect(decideSafeReload({ session: s, now, config: cookie, recentReloads: full })).toMatchObject({
      reload: false,
      reason: 'hourly-limit',
    });
    const off: Config = { ...cookie, safeReload: { ...cookie.safeReload, enabled: false } };
    expect(decideSafeReload({ session: s, now, config: off, recentReloads: [] })).toMatchObject({ reload: false, reason: 'disabled' });
  });

  it('records the reload on that incident, and gives the reloaded page the same time again', () => {
    const due = LAST + 2 * GRACE_MS + 1;
    const before = run(outlasted());
    const id = before.incidents.find((i) => i.kind === 'server-error')?.id;
    const reloading = run([...outlasted(), { type: 'safe-reload', at: due, cause: 'request-not-recovered', incidentId: id }]);
    expect(reloading.incidents.find((i) => i.id === id)?.steps.slice(-1)).toEqual([
      {
        at: due,
        action: 'safe-reload',
        outcome: 'pending',
        detail: 'Reloading the tab: the request still failed after its retries, and no call is active.',
      },
    ]);
    const after = run([ev.hello(due + 500)], reloading);
    expect(after.incidents.find((i) => i.id === id)?.steps.slice(-1)).toEqual([
      { at: due, action: 'safe-reload', outcome: 'ok', detail: 'The page reloaded.' },
    ]);
    expect(reloadCause(after, due + 2 * GRACE_MS, cookie)).toBeNull();
    expect(reloadCause(after, due + 2 * GRACE_MS + 1, cookie)).toBe('request-not-recovered');
  });

  it('a deferral is recorded once on the named incident; an event without incidentId finds it by cause', () => {
    const due = LAST + 2 * GRACE_MS + 1;
    const deferred = run([
      ...outlasted(),
      { type: 'reload-deferred', at: due, reason: 'call-active', cause: 'request-not-recovered' },
      { type: 'reload-deferred', at: due + 2000, reason: 'call-active', cause: 'request-not-recovered' },
    ]);
    const steps = deferred.incidents.find((i) => i.kind === 'server-error')?.steps.filter((st) => st.action === 'safe-reload');
    expect(steps).toEqual([
      {
        at: due,
        action: 'safe-reload',
        outcome: 'pending',
        detail: 'Not reloading: a call is active. The tab is never reloaded during a call.',
      },
    ]);
    const unknown = run([...outlasted(), { type: 'safe-reload', at: due, cause: 'request-not-recovered', incidentId: 'nope' }]);
    expect(unknown.incidents.flatMap((i) => i.steps).some((st) => st.action === 'safe-reload')).toBe(false);
  });

  it('says in the health sentence that the retries failed too', () => {
    const s = run(outlasted());
    expect(s.health).toBe('degraded');
    expect(s.healthReason).toBe(`Server errors on ${WEBRTC} (503); the retries failed too.`);
    expect(run(outlasted(WEBRTC, 0)).healthReason).toBe(`Network errors reaching ${WEBRTC}; the retries failed too.`);
    expect(run(outlasted('/api/v2/x', 408)).healthReason).toBe('Requests to /api/v2/x timed out (408); the retries failed too.');
    expect(run(outlasted('/api/v2/x', 429)).healthReason).toBe('The server is rate-limiting /api/v2/x (429); the retries failed too.');
  });

  it('waits while signalling is down (the server may be down too), and is due once a socket is open again', () => {
    const outage = [ev.wsOpen(T0 + 500, 's1'), ev.wsClose(T0 + 900, 1006, false, 's1'), ...outlasted().slice(1)];
    const down = run([ev.hello(T0), ...outage]);
    const later = LAST + 2 * GRACE_MS + 1;
    // Only the signalling rule speaks while the socket is gone.
    expect(reloadTarget(down, later, cookie)?.cause).toBe('signalling-not-recovered');
    const back = run([ev.wsOpen(later, 's2')], down);
    expect(reloadTarget(back, later + 1, cookie)).toEqual({
      cause: 'request-not-recovered',
      incidentId: back.incidents.find((i) => i.kind === 'server-error')?.id,
    });
  });

  it('is never due while sign-in is needed (a reload would land on the login page)', () => {
    const s = run([...outlasted(), { type: 'refresh-failed', at: LAST, error: 'login_required', signInRequired: true }]);
    expect(reloadCause(s, LAST + 10 * GRACE_MS, cookie)).toBeNull();
  });
});

describe('safe reload for a 401 out of reach (from the softphone’s worker)', () => {
  const WEBRTC = '/api/v2/communications/webRTC';
  const AT = T0 + 1000;
  const strategies = ['cookie-endpoint', 'oauth-silent', 'reload-when-idle', 'off'] as const;
  const withStrategy = (strategy: (typeof strategies)[number]): Config => ({
    ...DEFAULT_CONFIG,
    tokenRefresh: { ...DEFAULT_CONFIG.tokenRefresh, strategy },
  });
  const fromWorker = (reach: 'worker' | 'shared-worker' = 'shared-worker', events: SessionEvent[] = []): SessionState =>
    run([ev.hello(T0), ev.wsOpen(T0 + 1), ev.http(AT, 401, WEBRTC, { transport: 'webrequest', reach }), ...events]);
  const G = DEFAULT_CONFIG.watchdog.reconnectGraceMs;

  it.each(strategies)('asks for token-not-recovered only after one grace, with strategy %s', (strategy) => {
    const cfg = withStrategy(strategy);
    for (const reach of ['worker', 'shared-worker'] as const) {
      const s = fromWorker(reach);
      const id = s.incidents.find((i) => i.kind === 'unauthorized')?.id;
      expect(id).toBeDefined();
      expect(reloadTarget(s, AT, cfg)).toBeNull();
      expect(reloadTarget(s, AT + G, cfg)).toBeNull();
      expect(reloadTarget(s, AT + G + 1, cfg)).toEqual({ cause: 'token-not-recovered', incidentId: id });
      expect(decideSafeReload({ session: s, now: AT + G + 1, config: cfg, recentReloads: [] })).toEqual({
        reload: true,
        cause: 'token-not-recovered',
        incidentId: id,
      });
    }
  });

  it('the same 401 without reach waits for twice the grace after its failed step, and with strategy off never', () => {
    const plain = run([ev.hello(T0), ev.wsOpen(T0 + 1), ev.http(AT, 401, WEBRTC, { transport: 'webrequest' })]);
    expect(reloadTarget(plain, AT + G + 1, withStrategy('off'))).toBeNull();
    expect(reloadTarget(plain, AT + 100 * G, withStrategy('off'))).toBeNull();
    expect(reloadTarget(plain, AT + 100 * G, withStrategy('cookie-endpoint'))).toBeNull();
  });

  it('never reloads during a call, however long the 401 has been open', () => {
    const inCall = fromWorker('shared-worker', [ev.pcState(AT + 10, 'connected', 'connected')]);
    for (const dt of [G + 1, 10 * G, 3_600_000]) {
      expect(decideSafeReload({ session: inCall, now: AT + dt, config: withStrategy('off'), recentReloads: [] })).toMatchObject({
        reload: false,
        reason: 'call-active',
        cause: 'token-not-recovered',
      });
    }
    // Audio still flowing within quietMs counts as a call too.
    const audio = fromWorker('worker', [ev.pcStats(AT + G, 1000), ev.pcStats(AT + G + 500, 2000)]);
    expect(decideSafeReload({ session: audio, now: AT + G + 600, config: DEFAULT_CONFIG, recentReloads: [] })).toMatchObject({
      reload: false,
      reason: 'call-active',
    });
  });

  it('never reloads during a call (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 3_600_000 }), fc.constantFrom(...strategies), (dt, strategy) => {
        const s = { ...fromWorker(), media: { connectionState: 'connected' as const } };
        return decideSafeReload({ session: s, now: AT + dt, config: withStrategy(strategy), recentReloads: [] }).reload === false;
      }),
    );
  });

  it('counts the grace again from the last reload, not from a deferral', () => {
    const reloadAt = AT + G + 1;
    const s0 = fromWorker();
    const id = s0.incidents.find((i) => i.kind === 'unauthorized')!.id;
    const reloaded = run(
      [{ type: 'safe-reload', at: reloadAt, cause: 'token-not-recovered', incidentId: id, scope: 'shared-worker', pages: 2 }],
      s0,
    );
    expect(reloaded.incidents.find((i) => i.id === id)?.resolvedAt).toBeUndefined();
    expect(reloadTarget(reloaded, reloadAt + 1, DEFAULT_CONFIG)).toBeNull();
    expect(reloadTarget(reloaded, reloadAt + G, DEFAULT_CONFIG)).toBeNull();
    expect(reloadTarget(reloaded, reloadAt + G + 1, DEFAULT_CONFIG)).toEqual({ cause: 'token-not-recovered', incidentId: id });
    const deferred = run(
      [{ type: 'reload-deferred', at: reloadAt, reason: 'call-active', cause: 'token-not-recovered', incidentId: id }],
      s0,
    );
    expect(reloadTarget(deferred, reloadAt + 1, DEFAULT_CONFIG)).toEqual({ cause: 'token-not-recovered', incidentId: id });
  });

  it('is over once the reloaded page says hello', () => {
    const s0 = fromWorker();
    const id = s0.incidents.find((i) => i.kind === 'unauthorized')!.id;
    const back = run([{ type: 'safe-reload', at: AT + G + 1, cause: 'token-not-recovered', incidentId: id }, ev.hello(AT + G + 800)], s0);
    expect(reloadTarget(back, AT + 100 * G, DEFAULT_CONFIG)).toBeNull();
  });
});
