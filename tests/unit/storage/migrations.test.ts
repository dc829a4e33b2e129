import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrationPlan, SCHEMA_VERSION } from '../../../src/storage/migrations';

describe('migration plan', () => {
  it('numbers migrations 1..SCHEMA_VERSION without gaps', () => {
    expect(MIGRATIONS.map((m) => m.to)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it('creates everything for a new database, in order', () => {
    const plan = migrationPlan(0, SCHEMA_VERSION);
    expect(plan.map((m) => m.to)).toEqual([1, 2]);
    const stores = plan.flatMap((m) => m.steps.filter((s) => s.op === 'create-store').map((s) => s.store));
    expect(stores).toEqual(['events', 'incidents', 'sessions', 'deliveries', 'meta']);
  });

  it('upgrades version 1 by adding stores only: version-1 stores and indexes are left alone', () => {
    const plan = migrationPlan(1, 2);
    expect(plan.map((m) => m.to)).toEqual([2]);
    const touched = plan.flatMap((m) => m.steps.map((s) => s.store));
    expect(touched.filter((s) => ['events', 'incidents', 'sessions'].includes(s))).toEqual([]);
    expect(plan[0]!.steps.every((s) => s.op === 'create-store' || s.op === 'create-index')).toBe(true);
  });

  it('every index belongs to a store created at or before its version', () => {
    const created = new Set<string>();
    for (const m of MIGRATIONS) {
      for (const s of m.steps) {
        if (s.op === 'create-store') {
          expect(created.has(s.store)).toBe(false);
          created.add(s.store);
        } else expect(created.has(s.store)).toBe(true);
      }
    }
  });

  it('has nothing to do at the current version', () => {
    expect(migrationPlan(SCHEMA_VERSION, SCHEMA_VERSION)).toEqual([]);
  });

  it('refuses a downgrade and unknown versions with a clear error', () => {
    expect(() => migrationPlan(3, 2)).toThrow(RangeError);
    expect(() => migrationPlan(2, 1)).toThrow(/downgrade/);
    expect(() => migrationPlan(0, SCHEMA_VERSION + 1)).toThrow(/unknown schema version/);
    expect(() => migrationPlan(-1, 1)).toThrow(RangeError);
    expect(() => migrationPlan(0.5, 1)).toThrow(RangeError);
  });
});
