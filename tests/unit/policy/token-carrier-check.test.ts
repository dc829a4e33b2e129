import { describe, expect, it } from 'vitest';
import { captureGroups, tokenCarrierError, tokenCarriersError, MAX_TOKEN_CARRIERS } from '../../../src/policy/token-carrier-check';
import { resolveConfig } from '../../../src/policy/resolve';

describe('tokenCarriers at policy resolution', () => {
  it('accepts the forms the policy documents', () => {
    expect(tokenCarrierError({ type: 'header', name: 'Authorization', scheme: 'Bearer' })).toBeUndefined();
    expect(tokenCarrierError({ type: 'header', name: 'X-Amz-Bearer' })).toBeUndefined();
    expect(tokenCarrierError({ type: 'query', name: 'access_token' })).toBeUndefined();
    expect(tokenCarrierError({ type: 'ws-message', pattern: '"token":"([^"]+)"' })).toBeUndefined();
    expect(tokenCarrierError({ type: 'ws-message', format: 'xmpp-sasl-plain', prefix: 'authKey:' })).toBeUndefined();
  });

  it('counts capture groups with the engine', () => {
    expect(captureGroups('a(b)c')).toBe(1);
    expect(captureGroups('(?:a)(b)(?<n>c)')).toBe(2);
    expect(captureGroups('\\(x\\)')).toBe(0);
    expect(captureGroups('[(](x)')).toBe(1);
  });

  it.each([
    [{ type: 'header' }, /needs "name"/],
    [{ type: 'header', name: 'bad name' }, /needs "name"/],
    [{ type: 'header', name: 'A', scheme: 'Bearer x' }, /not an authentication scheme/],
    [{ type: 'header', name: 'A', pattern: 'x' }, /takes no pattern/],
    [{ type: 'query', name: '' }, /needs "name"/],
    [{ type: 'ws-message' }, /exactly one of "pattern" and "format"/],
    [{ type: 'ws-message', pattern: '(a)', format: 'xmpp-sasl-plain' }, /exactly one of/],
    [{ type: 'ws-message', pattern: 'token' }, /exactly one capture group .* it has 0/],
    [{ type: 'ws-message', pattern: '(a)(b)' }, /it has 2/],
    [{ type: 'ws-message', pattern: '(a' }, /not a regular expression/],
    [{ type: 'ws-message', pattern: '"t":"((?:a+)+)"' }, /nested quantifiers/],
    [{ type: 'ws-message', pattern: '(?:x*)*"t":"([^"]+)"' }, /nested quantifiers/],
    [{ type: 'ws-message', pattern: '(x)', prefix: 'p' }, /only with "format"/],
  ] as const)('refuses %j', (carrier, message) => {
    expect(tokenCarrierError(carrier as never)).toMatch(message);
  });

  it('numbers the bad entry and bounds the list', () => {
    expect(tokenCarriersError([{ type: 'query', name: 'a' }, { type: 'query' }])).toMatch(/^carrier 2: /);
    expect(tokenCarriersError(Array.from({ length: MAX_TOKEN_CARRIERS + 1 }, () => ({ type: 'query' as const, name: 'a' })))).toMatch(
      /at most/,
    );
  });

  it('reports a bad policy list as a problem and keeps the default carriers', () => {
    const { config, problems, sources } = resolveConfig({
      managed: { tokenCarriers: [{ type: 'ws-message', pattern: '"t":"((?:a+)+)"' }] },
      user: undefined,
    });
    expect(problems).toEqual([
      expect.objectContaining({ key: 'tokenCarriers', source: 'policy', message: expect.stringMatching(/carrier 1: .*nested/) }),
    ]);
    expect(sources.tokenCarriers).toBe('default');
    expect(config.tokenCarriers).toEqual([
      { type: 'header', name: 'Authorization', scheme: 'Bearer' },
      { type: 'query', name: 'access_token' },
    ]);
  });
});
