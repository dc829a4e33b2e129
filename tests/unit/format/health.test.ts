import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { healthLabel, healthRank, orderSessions } from '../../../src/format/health';
import { HEALTH_ORDER, type Health } from '../../../src/session/types';
import { FORMAT_STRINGS as t } from '../../../extension/popup/strings';

describe('health', () => {
  it('ranks healthy < degraded < recovering < down', () => {
    expect(HEALTH_ORDER.map(healthRank)).toEqual([0, 1, 2, 3]);
  });
  it('labels every health', () => {
    expect(HEALTH_ORDER.map((h) => healthLabel(h, t))).toEqual(['Healthy', 'Degraded', 'Recovering', 'Down']);
  });
});

describe('orderSessions', () => {
  const s = (id: number, health: Health, alive = true) => ({ id, health, alive });

  it('puts live sessions worst first and ended ones after, keeping input order within a rank', () => {
    const { live, ended } = orderSessions([
      s(1, 'healthy'),
      s(2, 'down', false),
      s(3, 'degraded'),
      s(4, 'down'),
      s(5, 'degraded'),
      s(6, 'healthy', false),
    ]);
    expect(live.map((x) => x.id)).toEqual([4, 3, 5, 1]);
    expect(ended.map((x) => x.id)).toEqual([2, 6]);
  });

  it('keeps every session exactly once and never ranks a better one above a worse one', () => {
    const arb = fc.array(fc.record({ id: fc.nat(), health: fc.constantFrom(...HEALTH_ORDER), alive: fc.boolean() }), { maxLength: 60 });
    fc.assert(
      fc.property(arb, (sessions) => {
        const { live, ended } = orderSessions(sessions);
        if (live.length + ended.length !== sessions.length) return false;
        if (!live.every((x) => x.alive) || ended.some((x) => x.alive)) return false;
        return live.every((x, i) => i === 0 || healthRank(live[i - 1]!.health) >= healthRank(x.health));
      }),
    );
  });

  it('does not mutate its input', () => {
    const input = [s(1, 'healthy'), s(2, 'down')];
    orderSessions(input);
    expect(input.map((x) => x.id)).toEqual([1, 2]);
  });
});
