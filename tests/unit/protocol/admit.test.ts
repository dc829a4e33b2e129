import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPageGate, PAGE_RATE_BURST } from '../../../src/protocol/admit';
import { PageCommandSchema, STALL_CLOSE_CODE } from '../../../src/protocol/page';

const env = (msg: unknown) => ({ channel: 'softphone-guard', v: 1, dir: 'to-ext', msg });
const close = { type: 'ws-close', at: 1, socketId: 's1', url: 'wss://x/y', code: 1006, reason: '', wasClean: false };

describe('page gate', () => {
  it('admits a valid observation and returns the parsed copy', () => {
    const r = createPageGate().admit(env(close), 0);
    expect(r).toEqual({ ok: true, obs: close });
  });

  it('ignores messages that are not ours, and its own commands', () => {
    const g = createPageGate();
    expect(g.admit('hello', 0)).toEqual({ ok: false, reason: 'ignored' });
    expect(g.admit({ channel: 'other' }, 0)).toEqual({ ok: false, reason: 'ignored' });
    expect(g.admit({ ...env(close), dir: 'to-page' }, 0)).toEqual({ ok: false, reason: 'ignored' });
  });

  it('rejects unknown types, extra keys, wrong versions and oversize fields', () => {
    const g = createPageGate();
    expect(g.admit(env({ ...close, type: 'navigate' }), 0).ok).toBe(false);
    expect(g.admit(env({ ...close, storageKey: 'x' }), 0).ok).toBe(false);
    expect(g.admit({ ...env(close), v: 2 }, 0).ok).toBe(false);
    expect(g.admit(env({ ...close, reason: 'x'.repeat(10_000) }), 0).ok).toBe(false);
    const withProto = JSON.parse(`{"__proto__": {"polluted": true}, "type": "ws-close"}`) as object;
    expect(g.admit(env({ ...close, ...withProto }), 0).ok).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rate-limits a flood of one type without starving another', () => {
    const g = createPageGate();
    let admitted = 0;
    for (let i = 0; i < 1000; i += 1) if (g.admit(env({ ...close, socketId: `s${i}` }), 0).ok) admitted += 1;
    expect(admitted).toBe(PAGE_RATE_BURST);
    const token = { type: 'token-needed', at: 1, requestId: 'r1', url: 'https://x/api', tokenHash: '0123456789abcdef' };
    expect(g.admit(env(token), 0).ok).toBe(true);
  });

  it('never throws and never admits arbitrary junk', () => {
    const g = createPageGate();
    fc.assert(
      fc.property(fc.anything(), (msg) => {
        const r = g.admit(env(msg), 0);
        return r.ok === false || typeof r.obs.type === 'string';
      }),
      { numRuns: 500 },
    );
  });
});

describe('page gate: silent stalls and organisation switches', () => {
  const orgSwitch = { type: 'org-switch', at: 5, fromOrgId: 'org-a', toOrgId: 'org-b', closedSockets: 1, closedPeerConnections: 1 };

  it('admits a ws-close the probe made itself, for a stall or an organisation switch', () => {
    const g = createPageGate();
    const stall = { ...close, code: STALL_CLOSE_CODE, wasClean: true, closedBy: 'stall' };
    expect(g.admit(env(stall), 0)).toEqual({ ok: true, obs: stall });
    const left = { ...close, code: 1000, wasClean: true, closedBy: 'org-switch' };
    expect(g.admit(env(left), 0)).toEqual({ ok: true, obs: left });
  });

  it('rejects any other closedBy', () => {
    const g = createPageGate();
    expect(g.admit(env({ ...close, closedBy: 'extension' }), 0)).toEqual({ ok: false, reason: 'invalid' });
    expect(g.admit(env({ ...close, closedBy: null }), 0)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('admits an org-switch observation and nothing looser', () => {
    const g = createPageGate();
    expect(g.admit(env(orgSwitch), 0)).toEqual({ ok: true, obs: orgSwitch });
    expect(g.admit(env({ ...orgSwitch, closedSockets: -1 }), 0).ok).toBe(false);
    expect(g.admit(env({ ...orgSwitch, closedPeerConnections: 1001 }), 0).ok).toBe(false);
    expect(g.admit(env({ ...orgSwitch, closedSockets: 1.5 }), 0).ok).toBe(false);
    expect(g.admit(env({ ...orgSwitch, toOrgId: 'x'.repeat(257) }), 0).ok).toBe(false);
    expect(g.admit(env({ ...orgSwitch, refreshUrl: 'https://evil.test/' }), 0).ok).toBe(false);
    const { toOrgId: _omitted, ...partial } = orgSwitch;
    expect(g.admit(env(partial), 0).ok).toBe(false);
  });

  it('rate-limits org-switch floods in their own bucket', () => {
    const g = createPageGate();
    let admitted = 0;
    for (let i = 0; i < 500; i += 1) if (g.admit(env({ ...orgSwitch, at: i }), 0).ok) admitted += 1;
    expect(admitted).toBe(PAGE_RATE_BURST);
    expect(g.admit(env(close), 0).ok).toBe(true);
  });

  it('never lets the page post the worker’s close-stalled-socket command as an observation', () => {
    const command = { type: 'close-stalled-socket', socketId: 's1', silentSeconds: 40 };
    expect(createPageGate().admit(env(command), 0)).toEqual({ ok: false, reason: 'invalid' });
    expect(PageCommandSchema.safeParse(command).success).toBe(true);
    expect(PageCommandSchema.safeParse({ ...command, silentSeconds: 86_401 }).success).toBe(false);
    expect(PageCommandSchema.safeParse({ ...command, socketId: '' }).success).toBe(false);
  });
});
