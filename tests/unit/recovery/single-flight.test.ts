import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TOKEN_EXPIRY_SKEW_MS, createSingleFlight, decideTokenUse, explainTokenUse } from '../../../src/recovery/single-flight';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createSingleFlight', () => {
  it('runs one call per key however many callers, and all share the result', async () => {
    const flights = createSingleFlight<string, number>();
    const d = deferred<number>();
    const fn = vi.fn(() => d.promise);
    const callers = Array.from({ length: 50 }, () => flights.run('org-a', fn));
    expect(fn).toHaveBeenCalledTimes(1);
    expect(flights.has('org-a')).toBe(true);
    expect(flights.size).toBe(1);
    d.resolve(42);
    expect(await Promise.all(callers)).toEqual(Array(50).fill(42));
  });

  it('shares the error with every caller', async () => {
    const flights = createSingleFlight<string, number>();
    const d = deferred<number>();
    const a = flights.run('k', () => d.promise);
    const b = flights.run('k', () => Promise.resolve(1));
    const boom = new Error('refresh failed');
    d.reject(boom);
    await expect(a).rejects.toBe(boom);
    await expect(b).rejects.toBe(boom);
  });

  it('keeps keys apart', async () => {
    const flights = createSingleFlight<string, string>();
    const fn = vi.fn((v: string) => Promise.resolve(v));
    const [a, b] = await Promise.all([flights.run('a', () => fn('A')), flights.run('b', () => fn('B'))]);
    expect([a, b]).toEqual(['A', 'B']);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('starts a new flight after the previous one settled, also after a failure', async () => {
    const flights = createSingleFlight<string, number>();
    let calls = 0;
    await expect(flights.run('k', () => Promise.reject(new Error(`fail ${++calls}`)))).rejects.toThrow('fail 1');
    expect(flights.has('k')).toBe(false);
    await expect(flights.run('k', () => Promise.resolve(++calls))).resolves.toBe(2);
    await expect(flights.run('k', () => Promise.resolve(++calls))).resolves.toBe(3);
    expect(flights.size).toBe(0);
  });

  it('frees the key before any caller resumes, so a caller can start the next flight at once', async () => {
    const flights = createSingleFlight<string, number>();
    const fn = vi.fn(() => Promise.resolve(1));
    const next = await flights.run('k', fn).then(() => {
      expect(flights.has('k')).toBe(false);
      return flights.run('k', () => Promise.resolve(2));
    });
    expect(next).toBe(2);
  });

  it('turns a synchronous throw and a plain value into a flight', async () => {
    const flights = createSingleFlight<string, number>();
    await expect(
      flights.run('k', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(flights.has('k')).toBe(false);
    await expect(flights.run('k', () => 7)).resolves.toBe(7);
  });

  describe('with fake timers', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('late joiners during a slow refresh share it; callers after it get a new one', async () => {
      const flights = createSingleFlight<string, string>();
      let n = 0;
      const refresh = () => new Promise<string>((res) => setTimeout(() => res(`token-${++n}`), 1000));
      const first = flights.run('id', refresh);
      await vi.advanceTimersByTimeAsync(500);
      const joiner = flights.run('id', refresh);
      await vi.advanceTimersByTimeAsync(500);
      expect(await first).toBe('token-1');
      expect(await joiner).toBe('token-1');
      const later = flights.run('id', refresh);
      await vi.advanceTimersByTimeAsync(1000);
      expect(await later).toBe('token-2');
    });
  });

  it('property: every batch of concurrent callers sees exactly one call per key', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 40 }), async (keys) => {
        const flights = createSingleFlight<string, string>();
        const calls = new Map<string, number>();
        const results = await Promise.all(
          keys.map((k) =>
            flights.run(k, async () => {
              calls.set(k, (calls.get(k) ?? 0) + 1);
              await Promise.resolve();
              return `${k}:${calls.get(k)}`;
            }),
          ),
        );
        for (const k of new Set(keys)) expect(calls.get(k)).toBe(1);
        results.forEach((r, i) => expect(r).toBe(`${keys[i]}:1`));
        expect(flights.size).toBe(0);
      }),
    );
  });
});

describe('decideTokenUse', () => {
  const now = 1_700_000_000_000;
  const held = { hash: '0123456789abcdef', obtainedAt: now - 60_000 };

  it('refreshes when nothing is held', () => {
    expect(decideTokenUse({ current: null, rejectedHash: 'ffffffffffffffff', now })).toBe('refresh');
    expect(decideTokenUse({ current: undefined, rejectedHash: 'ffffffffffffffff', now })).toBe('refresh');
  });

  it('refreshes when our own latest token was rejected (any hex case)', () => {
    expect(explainTokenUse({ current: held, rejectedHash: '0123456789abcdef', now })).toEqual({
      use: 'refresh',
      reason: 'own-token-rejected',
    });
    expect(decideTokenUse({ current: held, rejectedHash: '0123456789ABCDEF', now })).toBe('refresh');
  });

  it('reuses the held token when the page reports an older, different token', () => {
    expect(explainTokenUse({ current: held, rejectedHash: 'ffffffffffffffff', now })).toEqual({
      use: 'reuse',
      reason: 'page-token-older',
    });
  });

  it('refreshes when the held token is about to expire', () => {
    const expiresAt = now + TOKEN_EXPIRY_SKEW_MS;
    expect(explainTokenUse({ current: { ...held, expiresAt }, rejectedHash: 'ffffffffffffffff', now }).reason).toBe('expiring');
    expect(decideTokenUse({ current: { ...held, expiresAt: expiresAt + 1 }, rejectedHash: 'ffffffffffffffff', now })).toBe('reuse');
    expect(decideTokenUse({ current: { ...held, expiresAt: now + 5000 }, rejectedHash: 'ffffffffffffffff', now, expirySkewMs: 1000 })).toBe(
      'reuse',
    );
  });

  it('refreshes when the held token is older than maxAgeMs', () => {
    expect(explainTokenUse({ current: held, rejectedHash: 'ffffffffffffffff', now, maxAgeMs: 59_999 }).reason).toBe('too-old');
    expect(decideTokenUse({ current: held, rejectedHash: 'ffffffffffffffff', now, maxAgeMs: 60_000 })).toBe('reuse');
  });

  it('property: reuse only ever hands out a live token that is not the rejected one', () => {
    const hex16 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 16, maxLength: 16 });
    fc.assert(
      fc.property(
        fc.option(
          fc.record({
            hash: hex16,
            obtainedAt: fc.integer({ min: 0, max: now }),
            expiresAt: fc.option(fc.integer({ min: 0, max: 2 * now }), { nil: undefined }),
          }),
          { nil: null },
        ),
        hex16,
        (current, rejectedHash) => {
          const use = decideTokenUse({ current, rejectedHash, now });
          if (use === 'reuse') {
            expect(current).not.toBeNull();
            expect(current?.hash).not.toBe(rejectedHash);
            if (current?.expiresAt !== undefined) expect(current.expiresAt - TOKEN_EXPIRY_SKEW_MS).toBeGreaterThan(now);
          }
        },
      ),
    );
  });
});
