import { describe, expect, it } from 'vitest';
import { INSTRUMENTS, healthPoint, healthValue, newQualitySample } from '../../../src/telemetry/session-metrics';
import { createSession } from '../../../src/session/reducer';
import type { SessionState } from '../../../src/session/types';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const base = (): SessionState => ({ ...createSession(3, T0), agent: { userId: 'agent-2', name: 'Bo', orgId: 'org-b' } });

describe('session metrics', () => {
  it('uses UCUM units and puts a bucket boundary on every quality threshold', () => {
    expect(INSTRUMENTS.rtt.unit).toBe('ms');
    expect(INSTRUMENTS.jitter.unit).toBe('ms');
    expect(INSTRUMENTS.packetLoss.unit).toBe('%');
    expect(INSTRUMENTS.mos.unit).toBe('1');
    expect(INSTRUMENTS.health.unit).toBe('1');
    expect(INSTRUMENTS.rtt.boundaries).toContain(400);
    expect(INSTRUMENTS.jitter.boundaries).toContain(30);
    expect(INSTRUMENTS.packetLoss.boundaries).toEqual(expect.arrayContaining([1, 3]));
    expect(INSTRUMENTS.mos.boundaries).toContain(3);
    for (const spec of Object.values(INSTRUMENTS)) {
      if ('boundaries' in spec) expect([...spec.boundaries].sort((a, b) => a - b)).toEqual(spec.boundaries);
    }
  });

  it('gives health as 0 healthy … 3 down with the state and session as attributes', () => {
    expect(['healthy', 'degraded', 'recovering', 'down'].map((h) => healthValue(h as SessionState['health']))).toEqual([0, 1, 2, 3]);
    expect(healthPoint({ ...base(), health: 'recovering' })).toEqual({
      value: 2,
      attributes: {
        'softphone_guard.tab.id': 3,
        'user.id': 'agent-2',
        'softphone_guard.agent.org_id': 'org-b',
        'softphone_guard.health.state': 'recovering',
      },
    });
  });

  it('takes each stats sample once, with only the values it had', () => {
    const s: SessionState = { ...base(), media: { statsAt: T0 + 1000, rttMs: 120, jitterMs: null, packetLossPct: 0.5, mos: 4.2 } };
    expect(newQualitySample(s, undefined)).toEqual({
      attributes: { 'softphone_guard.tab.id': 3, 'user.id': 'agent-2', 'softphone_guard.agent.org_id': 'org-b' },
      rttMs: 120,
      packetLossPct: 0.5,
      mos: 4.2,
    });
    expect(newQualitySample(s, T0 + 1000)).toBeNull();
    expect(newQualitySample({ ...s, media: { ...s.media, statsAt: T0 + 2000 } }, T0 + 1000)).not.toBeNull();
    expect(newQualitySample({ ...base(), media: {} }, undefined)).toBeNull();
    expect(newQualitySample({ ...base(), media: { statsAt: T0, rttMs: null, mos: Number.NaN } }, undefined)).toBeNull();
  });
});
