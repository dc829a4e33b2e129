import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { answerUiRequest } from '../../../src/protocol/ui-dispatch';
import { checkUiReply, createUiRequester, replyOrNull } from '../../../src/protocol/ui-protocol';
import type { UiHandlers, UiRequester, UiResult, UiSend } from '../../../src/protocol/ui-protocol';
import type { ConfigResponse, EventsResponse, ExportResponse, StateResponse, UiRequest } from '../../../src/protocol/ui';
import { answerFor } from '../format/options-fixtures';
import { NOW, session } from '../format/fixtures';

const STATE: StateResponse = { type: 'state', sessions: [{ ...session(), alive: true }], worst: 'healthy', storedEvents: 12, now: NOW };
const EVENTS: EventsResponse = { type: 'events', events: [{ tabId: 1, at: NOW, type: 'ws-open', data: {} }], incidents: [] };
const EXPORT: ExportResponse = { type: 'export', filename: 'softphone-guard.json', mime: 'application/json', text: '{}' };
const CONFIG: ConfigResponse = answerFor({}, {});

/** A transport that records what was sent and answers with `reply(message)`. */
function transport(reply: (message: UiRequest) => Promise<unknown>): { send: UiSend; sent: UiRequest[] } {
  const sent: UiRequest[] = [];
  return {
    sent,
    send: (message) => {
      sent.push(message);
      return reply(message);
    },
  };
}

describe('page side: one request, one timeout, one error path', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the plain wire request and resolves to the checked reply', async () => {
    const t = transport(async () => STATE);
    const request = createUiRequester(t.send);
    await expect(request('get-state', {}, { timeoutMs: 1500 })).resolves.toEqual({ ok: true, reply: STATE });
    expect(t.sent).toEqual([{ type: 'get-state' }]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('puts the parameters next to the type', async () => {
    const t = transport(async () => EVENTS);
    const request = createUiRequester(t.send);
    await request('get-events', { limit: 500, tabId: 7 }, { timeoutMs: 3000 });
    await request('get-export', { format: 'summary' }, { timeoutMs: 3000 });
    expect(t.sent).toEqual([
      { type: 'get-events', limit: 500, tabId: 7 },
      { type: 'get-export', format: 'summary' },
    ]);
  });

  it('gives up after timeoutMs when the worker holds the message', async () => {
    const request = createUiRequester(() => new Promise(() => {}));
    let result: UiResult<'get-state'> | undefined;
    void request('get-state', {}, { timeoutMs: 1500 }).then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(1499);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toEqual({ ok: false, failure: 'timeout' });
  });

  it('an answer that comes after the timeout does not count', async () => {
    const request = createUiRequester(() => new Promise((resolve) => setTimeout(() => resolve(STATE), 2000)));
    const pending = request('get-state', {}, { timeoutMs: 1500 });
    await vi.advanceTimersByTimeAsync(2000);
    await expect(pending).resolves.toEqual({ ok: false, failure: 'timeout' });
  });

  it('a rejected or throwing send is `unavailable`, never a rejection', async () => {
    const rejecting = createUiRequester(() => Promise.reject(new Error('Could not establish connection. Receiving end does not exist.')));
    await expect(rejecting('get-config', {}, { timeoutMs: 1500 })).resolves.toEqual({ ok: false, failure: 'unavailable' });
    const throwing = createUiRequester(() => {
      throw new TypeError('runtime is undefined');
    });
    await expect(throwing('get-export', { format: 'bundle' }, { timeoutMs: 30_000 })).resolves.toEqual({
      ok: false,
      failure: 'unavailable',
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('no listener answering (undefined) and answers of another request are `malformed`', async () => {
    const silent = createUiRequester(async () => undefined);
    await expect(silent('get-state', {}, { timeoutMs: 1500 })).resolves.toEqual({ ok: false, failure: 'malformed' });
    // The right answer to another request is not an answer to this one.
    const crossed = createUiRequester(async () => EVENTS);
    await expect(crossed('get-state', {}, { timeoutMs: 1500 })).resolves.toEqual({ ok: false, failure: 'malformed' });
    const asConfig = createUiRequester(async () => STATE);
    await expect(asConfig('get-config', {}, { timeoutMs: 1500 })).resolves.toEqual({ ok: false, failure: 'malformed' });
  });

  it('replyOrNull maps every failure to null', async () => {
    const request = createUiRequester(async () => 'not an object');
    expect(replyOrNull(await request('get-state', {}, { timeoutMs: 10 }))).toBeNull();
    expect(replyOrNull({ ok: true, reply: STATE })).toBe(STATE);
  });
});

describe('reply checks', () => {
  it('accept each reply type', async () => {
    expect(await checkUiReply('get-state', STATE)).toBe(STATE);
    expect(await checkUiReply('get-events', EVENTS)).toBe(EVENTS);
    expect(await checkUiReply('get-export', EXPORT)).toBe(EXPORT);
    expect(await checkUiReply('get-config', CONFIG)).toEqual(CONFIG);
    expect(await checkUiReply('reset-user-config', CONFIG)).toEqual(CONFIG);
    expect(await checkUiReply('set-user-config', { type: 'user-config-saved', config: CONFIG })).toEqual({
      type: 'user-config-saved',
      config: CONFIG,
    });
    const invalid = { type: 'user-config-invalid', errors: [{ key: 'watchdog.reconnectGraceMs', message: 'must be ≥ 0' }] };
    expect(await checkUiReply('set-user-config', invalid)).toEqual(invalid);
  });

  it('reject hostile and malformed replies', async () => {
    const hostile: [Parameters<typeof checkUiReply>[0], unknown][] = [
      ['get-state', null],
      ['get-state', 'state'],
      ['get-state', [STATE]],
      ['get-state', { ...STATE, sessions: 'all of them' }],
      ['get-state', { ...STATE, now: String(NOW) }],
      // A `__proto__` key from JSON is an own property, not a prototype: `type` stays unset.
      ['get-state', JSON.parse('{"__proto__": {"type": "state", "sessions": [], "now": 1}}')],
      ['get-events', { type: 'events', events: {}, incidents: [] }],
      ['get-export', { ...EXPORT, mime: 'text/html' }],
      ['get-export', { ...EXPORT, filename: 42 }],
      ['get-export', { ...EXPORT, text: { toString: 'x' } }],
      ['get-config', { ...CONFIG, config: { ...CONFIG.config, retry: 'always' } }],
      ['get-config', { ...CONFIG, policyLoaded: 'yes' }],
      ['get-config', { ...CONFIG, sources: { 'not.a.key': 'policy' } }],
      ['reset-user-config', { type: 'user-config-saved', config: CONFIG }],
      ['set-user-config', CONFIG],
      ['set-user-config', { type: 'user-config-invalid', errors: [{ key: 1 }] }],
    ];
    for (const [type, value] of hostile) expect(await checkUiReply(type, value), `${type}: ${JSON.stringify(value)}`).toBeNull();
  });

  it('the state check leaves the sessions to the popup, which says when one cannot be shown', async () => {
    const broken = { ...STATE, sessions: [{ tabId: 5, signalling: null }] };
    expect(await checkUiReply('get-state', broken)).toBe(broken);
  });
});

describe('worker side: the handler table', () => {
  const handlers: UiHandlers = {
    'get-state': async () => STATE,
    'get-events': async ({ limit }) => ({ ...EVENTS, events: EVENTS.events.slice(0, limit) }),
    'get-config': async () => CONFIG,
    'set-user-config': async () => ({ type: 'user-config-saved', config: CONFIG }),
    'reset-user-config': async () => CONFIG,
    'get-export': async ({ format }) => ({ ...EXPORT, mime: format === 'bundle' ? 'application/json' : 'text/plain' }),
  };

  it('answers a valid request with the handler of its type, given the parsed request', async () => {
    const spy = vi.fn(handlers['get-events']);
    await expect(answerUiRequest({ ...handlers, 'get-events': spy }, { type: 'get-events', limit: 1, tabId: 3 })).resolves.toEqual(EVENTS);
    expect(spy).toHaveBeenCalledWith({ type: 'get-events', limit: 1, tabId: 3 });
    await expect(answerUiRequest(handlers, { type: 'get-export', format: 'summary' })).resolves.toMatchObject({ mime: 'text/plain' });
  });

  it('leaves messages that are not UI requests to other listeners (undefined)', () => {
    const notOurs: unknown[] = [
      undefined,
      null,
      'get-state',
      { type: 'get-secrets' },
      { type: 'get-state', extra: true },
      { type: 'get-events', limit: 10_001 },
      { type: 'get-events', limit: -1 },
      { type: 'get-export', format: 'pdf' },
      { type: 'reset-user-config', keys: ['not.a.key'] },
      { type: 'set-user-config', userConfig: [] },
    ];
    for (const message of notOurs) expect(answerUiRequest(handlers, message), JSON.stringify(message)).toBeUndefined();
  });

  it('a handler that throws gives a rejected promise, not a throw from the listener', async () => {
    const throwing: UiHandlers = {
      ...handlers,
      'get-state': () => {
        throw new Error('store closed');
      },
    };
    const answer = answerUiRequest(throwing, { type: 'get-state' });
    await expect(answer).rejects.toThrow('store closed');
  });
});

describe('types: the request type determines the reply type', () => {
  it('binds replies and parameters to the request type', () => {
    const request: UiRequester = createUiRequester(async () => undefined);
    expectTypeOf(request('get-state', {}, { timeoutMs: 1 })).resolves.toEqualTypeOf<UiResult<'get-state'>>();
    expectTypeOf(replyOrNull<'get-state'>).returns.toEqualTypeOf<StateResponse | null>();
    expectTypeOf(replyOrNull<'get-export'>).returns.toEqualTypeOf<ExportResponse | null>();
    expectTypeOf(checkUiReply<'reset-user-config'>).returns.resolves.toEqualTypeOf<ConfigResponse | null>();

    // Parameters are checked against the request type (type-level only; nothing is sent).
    const typeOnly = (): void => {
      // @ts-expect-error get-events needs its limit
      void request('get-events', {}, { timeoutMs: 1 });
      // @ts-expect-error no such export format
      void request('get-export', { format: 'pdf' }, { timeoutMs: 1 });
      // @ts-expect-error no such request
      void request('get-secrets', {}, { timeoutMs: 1 });
      // @ts-expect-error every request says how long it may take
      void request('get-state', {});
    };
    expect(typeof typeOnly).toBe('function');
  });

  it('a handler that resolves to another reply type does not compile', () => {
    const wrong: UiHandlers = {
      ...handlers(),
      // @ts-expect-error get-state must resolve to a StateResponse
      'get-state': async () => EVENTS,
    };
    // @ts-expect-error every request type needs its handler
    const missing: UiHandlers = { 'get-state': async () => STATE };
    expect([wrong, missing]).toHaveLength(2);
  });
});

function handlers(): UiHandlers {
  return {
    'get-state': async () => STATE,
    'get-events': async () => EVENTS,
    'get-config': async () => CONFIG,
    'set-user-config': async () => ({ type: 'user-config-saved', config: CONFIG }),
    'reset-user-config': async () => CONFIG,
    'get-export': async () => EXPORT,
  };
}
