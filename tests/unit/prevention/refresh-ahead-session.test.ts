/**
 * The `refresh-ahead` worker event (prevention) in the session reducer and on the popup card:
 * it records the refresh, its expiry and what it was ahead of, and opens no incident.
 */
import { describe, expect, it } from 'vitest';
import { createSession, reduceSession } from '../../../src/session/reducer';
import type { SessionEvent } from '../../../src/session/reducer';
import type { SessionState } from '../../../src/session/types';
import { authRows } from '../../../src/format/session-card';
import { CTX, T0, TAB, deepFreeze, ev } from '../session/fixtures';
import { FORMAT_STRINGS as t } from '../../../extension/popup/strings';

function run(events: SessionEvent[], from: SessionState = createSession(TAB, T0)): SessionState {
  let s = from;
  for (const e of events) s = reduceSession(deepFreeze(s), e, CTX).state;
  return s;
}

const NOTE = 'Refreshed ahead of Mon 06:00 America/Chicago';

describe('refresh-ahead', () => {
  it('updates last refresh, outcome, expiry and count, without touching health or incidents', () => {
    const before = run([ev.hello(T0), ev.identity(T0 + 1), ev.wsOpen(T0 + 2)]);
    const r = reduceSession(
      deepFreeze(before),
      { type: 'refresh-ahead', at: T0 + 100, outcome: 'ok', note: NOTE, expiresAt: T0 + 600_000 },
      CTX,
    );
    expect(r.state.auth).toMatchObject({
      lastRefreshAt: T0 + 100,
      lastRefreshOutcome: 'ok',
      lastRefreshNote: NOTE,
      tokenExpiresAt: T0 + 600_000,
      refreshCount: before.auth.refreshCount + 1,
    });
    expect(r.state.refreshInFlight).toBe(false);
    expect(r.state.health).toBe(before.health);
    expect(r.state.incidents).toEqual(before.incidents);
    expect(r.effects).toEqual([]);
  });

  it('a failed one keeps the error; a later 401-driven refresh clears the note', () => {
    const failed = run([
      ev.hello(T0),
      { type: 'refresh-ahead', at: T0 + 1, outcome: 'failed', note: 'Could not refresh ahead of token expiry', error: 'HTTP 503' },
    ]);
    expect(failed.auth).toMatchObject({
      lastRefreshOutcome: 'failed',
      lastRefreshError: 'HTTP 503',
      lastRefreshNote: 'Could not refresh ahead of token expiry',
    });
    const ok = run([{ type: 'refresh-ahead', at: T0 + 2, outcome: 'ok', note: NOTE }], failed);
    expect(ok.auth.lastRefreshError).toBeUndefined();
    const reactive = run([ev.refreshStarted(T0 + 3), ev.refreshSucceeded(T0 + 4)], ok);
    expect(reactive.auth.lastRefreshNote).toBeUndefined();
    const reactiveFailed = run([ev.refreshStarted(T0 + 5), ev.refreshFailed(T0 + 6)], ok);
    expect(reactiveFailed.auth.lastRefreshNote).toBeUndefined();
  });

  it('does not settle a pending 401 refresh of the tab', () => {
    const pending = run([ev.hello(T0), ev.refreshStarted(T0 + 1)]);
    const r = run([{ type: 'refresh-ahead', at: T0 + 2, outcome: 'ok', note: NOTE }], pending);
    expect(r.refreshInFlight).toBe(true);
  });

  it('the popup card says what the refresh was ahead of', () => {
    const now = T0 + 10_000;
    const rows = authRows(
      { lastRefreshAt: T0, lastRefreshOutcome: 'ok', lastRefreshNote: NOTE, refreshCount: 1, retries: 0, retriesRecovered: 0 },
      now,
      t,
    );
    expect(rows.find((r) => r.key === 'refresh')?.value).toBe(`10 s ago — ok · ${NOTE}`);
  });
});
