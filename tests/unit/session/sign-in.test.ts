import { describe, expect, it } from 'vitest';
import { CTX, T0, TAB, ev } from './fixtures';
import { createSession, reduceSession } from '../../../src/session/reducer';
import type { SessionEvent } from '../../../src/session/reducer';
import type { SessionState } from '../../../src/session/types';

function run(events: SessionEvent[]): SessionState {
  let s = createSession(TAB, T0);
  for (const e of events) s = reduceSession(s, e, CTX).state;
  return s;
}

describe('sign-in needed', () => {
  const path = '/api/v2/communications/webRTC';

  it('says so plainly when every token strategy failed that way', () => {
    const s = run([
      ev.tokenNeeded(T0 + 1, path),
      ev.refreshStarted(T0 + 2),
      { type: 'refresh-failed', at: T0 + 3, error: 'SignInRequiredError: login_required', signInRequired: true },
    ]);
    expect(s.health).toBe('down');
    expect(s.auth.signInRequired).toBe(true);
    expect(s.healthReason).toMatch(/^Sign-in needed/);
  });

  it('does not say it for an ordinary refresh failure, and forgets it after a success', () => {
    const failed = run([ev.tokenNeeded(T0 + 1, path), ev.refreshStarted(T0 + 2), ev.refreshFailed(T0 + 3)]);
    expect(failed.healthReason).not.toMatch(/Sign-in/);
    const recovered = run([
      ev.tokenNeeded(T0 + 1, path),
      { type: 'refresh-failed', at: T0 + 3, error: 'login_required', signInRequired: true },
      ev.refreshStarted(T0 + 4),
      ev.refreshSucceeded(T0 + 5),
    ]);
    expect(recovered.auth.signInRequired).toBeUndefined();
  });
});
