import { describe, expect, it } from 'vitest';
import { getLeaf, setLeaf, splitKey } from '../../../src/policy/leaf-path';

describe('leaf paths', () => {
  it('splits dotted keys once', () => {
    expect(splitKey('retry.maxDelayMs')).toEqual({ group: 'retry', field: 'maxDelayMs' });
    expect(splitKey('riskWindows')).toEqual({ field: 'riskWindows' });
  });

  it('reads own leaves only and never throws', () => {
    expect(getLeaf({ retry: { maxAttempts: 2 } }, 'retry.maxAttempts')).toBe(2);
    expect(getLeaf({ retry: [1] }, 'retry.maxAttempts')).toBeUndefined();
    expect(getLeaf('x', 'retentionDays')).toBeUndefined();
    expect(getLeaf(Object.create({ retentionDays: 3 }), 'retentionDays')).toBeUndefined();
    const hostile = Object.defineProperty({}, 'retry', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(getLeaf(hostile, 'retry.maxAttempts')).toBeUndefined();
  });

  it('sets and removes by copy, dropping emptied groups', () => {
    const root = { retry: { maxAttempts: 2 }, retentionDays: 3 };
    const set = setLeaf(root, 'retry.baseDelayMs', 10);
    expect(set).toEqual({ retry: { maxAttempts: 2, baseDelayMs: 10 }, retentionDays: 3 });
    expect(root).toEqual({ retry: { maxAttempts: 2 }, retentionDays: 3 });
    expect(setLeaf(root, 'retry.maxAttempts', undefined)).toEqual({ retentionDays: 3 });
    expect(setLeaf(null, 'watchdog.reconnectGraceMs', 5)).toEqual({ watchdog: { reconnectGraceMs: 5 } });
  });

  it('cannot reach a prototype', () => {
    const out = setLeaf({}, '__proto__', { polluted: true });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual(['__proto__']);
  });
});
