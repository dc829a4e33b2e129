import { describe, expect, it } from 'vitest';
import { formatAge, worstHealth } from '../../../src/session/health';
import { worstHealth as reExported } from '../../../src/session/reducer';
import { HEALTH_ORDER } from '../../../src/session/types';
import { CTX, ev, run, s } from './fixtures';

describe('worstHealth', () => {
  it('is null for no sessions', () => {
    expect(worstHealth([])).toBeNull();
  });

  it('picks the worst by HEALTH_ORDER', () => {
    expect(worstHealth(['healthy', 'degraded'])).toBe('degraded');
    expect(worstHealth(['recovering', 'degraded', 'healthy'])).toBe('recovering');
    expect(worstHealth(['healthy', 'down', 'recovering'])).toBe('down');
    expect(worstHealth(['healthy', 'healthy'])).toBe('healthy');
  });

  it('agrees with HEALTH_ORDER for every pair', () => {
    for (const a of HEALTH_ORDER) {
      for (const b of HEALTH_ORDER) {
        expect(worstHealth([a, b])).toBe(HEALTH_ORDER.indexOf(a) >= HEALTH_ORDER.indexOf(b) ? a : b);
      }
    }
  });

  it('is re-exported by the reducer module', () => {
    expect(reExported).toBe(worstHealth);
  });
});

describe('formatAge', () => {
  it.each([
    [-5000, '0 s'],
    [0, '0 s'],
    [999, '0 s'],
    [4_200, '4 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [3_599_999, '59 min'],
    [3_600_000, '1 h'],
  ])('%i ms reads %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});

describe('precedence', () => {
  it('down outranks recovering outranks degraded', () => {
    const degradedOnly = run([ev.http(s(0), 429, '/api/v2/p')]);
    expect(degradedOnly.state.health).toBe('degraded');
    const recovering = run([ev.tokenNeeded(s(1), '/api/v2/x')], CTX, degradedOnly.state);
    expect(recovering.state.health).toBe('recovering');
    const down = run([ev.permission(s(2), 'denied')], CTX, recovering.state);
    expect(down.state.health).toBe('down');
    expect(down.state.healthReason).toBe('Microphone access is blocked; trying to restore it.');
  });

  it('names the signalling drop first among recovering causes', () => {
    const { state } = run([ev.wsOpen(s(0)), ev.refreshStarted(s(1)), ev.tokenNeeded(s(1), '/api/v2/x'), ev.wsClose(s(2), 1006, false)]);
    expect(state.healthReason).toBe('Signalling dropped (1006) 0 s ago; waiting for the softphone to reconnect.');
  });

  it('puts a silent socket above HTTP failures: no call can arrive over it', () => {
    const { state } = run([ev.wsOpen(s(0)), ev.wsActivity(s(0), 's1', s(0)), ev.http(s(1), 503, '/api/v2/p'), ev.tick(s(45))]);
    expect(state.health).toBe('recovering');
    expect(state.healthReason).toBe(
      'Nothing received on the signalling socket for 45 s although it is open, so calls cannot arrive; closing it in 10 s unless a message comes.',
    );
  });
});
