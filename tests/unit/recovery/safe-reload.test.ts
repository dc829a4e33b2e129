import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { callActive, decideSafeReload, reloadCause } from '../../../src/recovery/safe-reload';
import { DEFAULT_CONFIG } from '../../../src/policy/schema';
import type { Config } from '../../../src/policy/schema';
import { createSession, reduceSession } from '../../../src/session/reducer';
import type { SessionEvent } from '../../../src/session/reducer';
import type { SessionState } from '../../../src/session/types';
import { CTX, T0, TAB, ev } from '../session/fixtures';

const config: Config = { ...DEFAULT_CONFIG, tokenRefresh: { ...DEFAULT_CONFIG.tokenRefresh, strategy: 'reload-when-idle' } };
const GRACE = config.watchdog.reconnectGraceMs;

function run(events: SessionEvent[]): SessionState {
  let s = createSession(TAB, T0);
  for (const e of events) s = reduceSession(s, e, CTX).state;
  return s;
}

const stormed = (): SessionState =>
  run([ev.hello(T0), ev.wsOpen(T0 + 1), ev.wsClose(T0 + 10, 1006, false), ev.http(T0 + 11, 401, '/api/v2/communications/webRTC', { protected: true })]);

describe('safe reload (rung 5)', () => {
  it('is not called for while the grace runs, then is', () => {
    const s = stormed();
    expect(reloadCause(s, T0 + 12, config)).toBeNull();
    expect(reloadCause(s, T0 + 11 + GRACE + 1, config)).toBe('token-not-recovered');
    expect(decideSafeReload({ session: s, now: T0 + 11 + GRACE + 1, config, recentReloads: [] })).toEqual({ reload: true, cause: 'token-not-recovered' });
  });

  it('never reloads while a call is active, whatever failed', () => {
    const inCall = run([
      ev.hello(T0),
      { type: 'pc-state', at: T0 + 1, pcId: 'pc1', iceConnectionState: 'connected', connectionState: 'connected', signalingState: 'stable' },
      ev.wsOpen(T0 + 2),
      ev.wsClose(T0 + 10, 1006, false),
      ev.http(T0 + 11, 401, '/api/v2/communications/webRTC', { protected: true }),
    ]);
    const later = T0 + 10 * 60_000;
    expect(reloadCause(inCall, later, config)).not.toBeNull();
    expect(decideSafeReload({ session: inCall, now: later, config, recentReloads: [] })).toMatchObject({ reload: false, reason: 'call-active' });
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
      fc.property(fc.integer({ min: 0, max: 10 * 3_600_000 }), fc.array(fc.integer({ min: 0, max: 3_600_000 }), { maxLength: 5 }), (dt, reloads) => {
        const s = { ...stormed(), media: { connectionState: 'connected' } };
        return decideSafeReload({ session: s, now: T0 + dt, config, recentReloads: reloads.map((r) => T0 + dt - r) }).reload === false;
      }),
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
