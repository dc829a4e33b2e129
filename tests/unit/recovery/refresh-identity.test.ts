import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sameIdentity, tokenIdentityKey } from '../../../src/recovery/refresh-identity';

const ENDPOINT = 'https://apps.test/api/v2/authentication/refresh';

describe('token identity keys', () => {
  it('separates organisations and users of one endpoint', () => {
    const a = tokenIdentityKey(ENDPOINT, { userId: 'agent-1', orgId: 'org-a' });
    const b = tokenIdentityKey(ENDPOINT, { userId: 'agent-3', orgId: 'org-b' });
    const sameUserOtherOrg = tokenIdentityKey(ENDPOINT, { userId: 'agent-1', orgId: 'org-b' });
    expect(new Set([a, b, sameUserOtherOrg]).size).toBe(3);
    expect(a).toBe(tokenIdentityKey(ENDPOINT, { orgId: 'org-a', userId: 'agent-1' }));
    expect(a.startsWith(ENDPOINT)).toBe(true);
  });

  it('gives a tab whose agent is not known yet a key of its own, never a known identity’s', () => {
    const unknown = tokenIdentityKey(ENDPOINT, undefined);
    expect(unknown).toBe(tokenIdentityKey(ENDPOINT, {}));
    expect(unknown).not.toBe(tokenIdentityKey(ENDPOINT, { userId: 'null' }));
    expect(unknown).not.toBe(tokenIdentityKey(ENDPOINT, { orgId: 'org-a' }));
  });

  it('separates endpoints', () => {
    expect(tokenIdentityKey(ENDPOINT, { userId: 'u' })).not.toBe(tokenIdentityKey('oauth:https://idp/token#client', { userId: 'u' }));
  });

  it('never lets two different identities share a key, whatever their ids hold (property)', () => {
    const part = fc.option(fc.string({ maxLength: 12 }), { nil: undefined });
    fc.assert(
      fc.property(part, part, part, part, (u1, o1, u2, o2) => {
        const k1 = tokenIdentityKey(ENDPOINT, { ...(u1 === undefined ? {} : { userId: u1 }), ...(o1 === undefined ? {} : { orgId: o1 }) });
        const k2 = tokenIdentityKey(ENDPOINT, { ...(u2 === undefined ? {} : { userId: u2 }), ...(o2 === undefined ? {} : { orgId: o2 }) });
        return (k1 === k2) === (u1 === u2 && o1 === o2);
      }),
    );
  });

  it('compares identities by user and organisation', () => {
    expect(sameIdentity({ userId: 'u', orgId: 'o' }, { userId: 'u', orgId: 'o' })).toBe(true);
    expect(sameIdentity({ userId: 'u', orgId: 'o' }, { userId: 'u', orgId: 'p' })).toBe(false);
    expect(sameIdentity(undefined, {})).toBe(true);
    expect(sameIdentity(undefined, { orgId: 'o' })).toBe(false);
  });
});
