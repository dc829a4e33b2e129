import { describe, expect, it } from 'vitest';
import { extractIdentity, readDottedField } from '../../../src/identity/extract-identity';

const FIELDS = { id: 'id', name: 'name', org: 'organization.id' };

describe('extractIdentity', () => {
  it('reads the default Genesys users/me shape', () => {
    const me = { id: 'u-1', name: 'Ada Agent', email: 'a@x', organization: { id: 'org-9', name: 'Org' }, token: 'nope' };
    expect(extractIdentity(me, FIELDS)).toEqual({ userId: 'u-1', name: 'Ada Agent', orgId: 'org-9' });
  });

  it('needs the id; name and org are optional', () => {
    expect(extractIdentity({ name: 'x' }, FIELDS)).toBeNull();
    expect(extractIdentity({ id: 42 }, FIELDS)).toEqual({ userId: '42' });
    expect(extractIdentity(null, FIELDS)).toBeNull();
    expect(extractIdentity('id', FIELDS)).toBeNull();
  });

  it('follows custom dotted paths, array indices included', () => {
    const body = { data: { user: { uid: 7n, teams: [{ org: 'o1' }] }, displayName: 'B' } };
    expect(extractIdentity(body, { id: 'data.user.uid', name: 'data.displayName', org: 'data.user.teams.0.org' })).toEqual({
      userId: '7',
      name: 'B',
      orgId: 'o1',
    });
  });
});

describe('readDottedField', () => {
  it('never resolves inherited or prototype properties', () => {
    expect(readDottedField({}, 'constructor')).toBeUndefined();
    expect(readDottedField({}, '__proto__')).toBeUndefined();
    expect(readDottedField({ a: {} }, 'a.toString')).toBeUndefined();
    expect(readDottedField(JSON.parse('{"__proto__": {"id": "x"}}'), '__proto__.id')).toBe('x');
  });

  it('accepts only non-empty, bounded strings and finite numbers', () => {
    expect(readDottedField({ a: '' }, 'a')).toBeUndefined();
    expect(readDottedField({ a: 'x'.repeat(257) }, 'a')).toBeUndefined();
    expect(readDottedField({ a: 'x'.repeat(256) }, 'a')).toHaveLength(256);
    expect(readDottedField({ a: Number.POSITIVE_INFINITY }, 'a')).toBeUndefined();
    expect(readDottedField({ a: true }, 'a')).toBeUndefined();
    expect(readDottedField({ a: { b: 1 } }, 'a')).toBeUndefined();
    expect(readDottedField({ a: 1 }, '')).toBeUndefined();
  });
});
