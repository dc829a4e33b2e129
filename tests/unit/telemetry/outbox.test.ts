import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_RETRY_AFTER_MS,
  TELEMETRY_BACKOFF,
  classifyStatus,
  emptyOutbox,
  enqueue,
  nextBatch,
  retryDelayMs,
  settle,
  signalUrl,
} from '../../../src/telemetry/outbox';
import type { OutboxState, Signal } from '../../../src/telemetry/outbox';

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const item = (signal: Signal, chars: number, items = 1): { signal: Signal; body: string; items: number } => ({
  signal,
  body: 'x'.repeat(chars),
  items,
});

describe('enqueue', () => {
  it('keeps entries in order with ids and a character count', () => {
    let s = emptyOutbox();
    s = enqueue(s, item('logs', 10), NOW);
    s = enqueue(s, item('metrics', 20, 4), NOW + 1);
    expect(s.entries.map((e) => [e.id, e.signal, e.items, e.queuedAt])).toEqual([
      [1, 'logs', 1, NOW],
      [2, 'metrics', 4, NOW + 1],
    ]);
    expect(s.chars).toBe(30);
  });

  it('drops the oldest when full and counts what was dropped per signal', () => {
    const limits = { maxChars: 100, maxEntries: 3 };
    let s = emptyOutbox();
    s = enqueue(s, item('metrics', 40, 5), NOW, limits);
    s = enqueue(s, item('logs', 40, 2), NOW, limits);
    s = enqueue(s, item('logs', 40, 1), NOW, limits);
    expect(s.entries.map((e) => e.id)).toEqual([2, 3]);
    expect(s.dropped).toEqual({ logs: 0, metrics: 5 });
    s = enqueue(s, item('logs', 10), NOW, limits);
    s = enqueue(s, item('logs', 10), NOW, limits);
    expect(s.entries.map((e) => e.id)).toEqual([3, 4, 5]);
    expect(s.dropped).toEqual({ logs: 2, metrics: 5 });
  });

  it('drops a request larger than the whole bound by itself and keeps the rest', () => {
    let s = enqueue(emptyOutbox(), item('logs', 10), NOW, { maxChars: 50, maxEntries: 10 });
    s = enqueue(s, item('metrics', 51, 7), NOW, { maxChars: 50, maxEntries: 10 });
    expect(s.entries).toHaveLength(1);
    expect(s.dropped.metrics).toBe(7);
  });

  it('never exceeds its bounds and loses nothing uncounted (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            signal: fc.constantFrom<Signal>('logs', 'metrics'),
            chars: fc.integer({ min: 1, max: 400 }),
            items: fc.integer({ min: 1, max: 9 }),
          }),
        ),
        (adds) => {
          const limits = { maxChars: 1000, maxEntries: 5 };
          let s = emptyOutbox();
          for (const a of adds) s = enqueue(s, item(a.signal, a.chars, a.items), NOW, limits);
          expect(s.entries.length).toBeLessThanOrEqual(limits.maxEntries);
          expect(s.chars).toBeLessThanOrEqual(limits.maxChars);
          expect(s.chars).toBe(s.entries.reduce((n, e) => n + e.body.length, 0));
          const kept = s.entries.reduce((n, e) => n + e.items, 0);
          expect(kept + s.dropped.logs + s.dropped.metrics).toBe(adds.reduce((n, a) => n + a.items, 0));
        },
      ),
    );
  });
});

describe('nextBatch', () => {
  it('takes the oldest entry and later ones of the same signal up to the request size', () => {
    let s = emptyOutbox();
    for (const [signal, chars] of [
      ['logs', 40],
      ['metrics', 10],
      ['logs', 40],
      ['logs', 40],
    ] as const)
      s = enqueue(s, item(signal, chars), NOW);
    expect(nextBatch(s, NOW, 100)?.map((e) => e.id)).toEqual([1, 3]);
    expect(nextBatch(s, NOW, 10)?.map((e) => e.id)).toEqual([1]);
  });

  it('gives nothing while empty or backing off', () => {
    expect(nextBatch(emptyOutbox(), NOW)).toBeNull();
    const s: OutboxState = { ...enqueue(emptyOutbox(), item('logs', 1), NOW), notBefore: NOW + 5 };
    expect(nextBatch(s, NOW + 4)).toBeNull();
    expect(nextBatch(s, NOW + 5)).toHaveLength(1);
  });
});

describe('classifyStatus (OTLP/HTTP)', () => {
  it('retries 429, 502, 503, 504 only; other failures are final', () => {
    expect([200, 202, 299].map(classifyStatus)).toEqual(['ok', 'ok', 'ok']);
    expect([429, 502, 503, 504].map(classifyStatus)).toEqual(['retry', 'retry', 'retry', 'retry']);
    expect([400, 401, 403, 404, 413, 500, 501].map(classifyStatus)).toEqual(Array(7).fill('rejected'));
  });
});

describe('retryDelayMs', () => {
  it('is full jitter without Retry-After', () => {
    expect(retryDelayMs(0, null, NOW, () => 0)).toBe(0);
    expect(retryDelayMs(3, null, NOW, () => 0.5)).toBe(4000);
    expect(retryDelayMs(30, null, NOW, () => 0.999999)).toBeLessThanOrEqual(TELEMETRY_BACKOFF.maxDelayMs);
  });

  it('waits at least the Retry-After (seconds or HTTP date), jitter on top, capped', () => {
    expect(retryDelayMs(0, '2', NOW, () => 0)).toBe(2000);
    expect(retryDelayMs(1, '2', NOW, () => 0.5)).toBe(3000);
    expect(retryDelayMs(0, new Date(NOW + 7000).toUTCString(), NOW, () => 0)).toBe(7000);
    expect(retryDelayMs(0, '86400', NOW, () => 0)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryDelayMs(0, 'soon', NOW, () => 0)).toBe(0);
  });
});

describe('settle', () => {
  const two = enqueue(enqueue(emptyOutbox(), item('logs', 5, 2), NOW), item('logs', 5, 3), NOW);

  it('removes a delivered batch and clears the backoff', () => {
    const s = settle({ ...two, attempt: 3, notBefore: NOW }, two.entries.slice(0, 1), { kind: 'ok', rejectedItems: 1 }, NOW, () => 0);
    expect(s.entries.map((e) => e.id)).toEqual([2]);
    expect(s.chars).toBe(5);
    expect(s.attempt).toBe(0);
    expect(s.notBefore).toBe(0);
    expect(s.rejected.logs).toBe(1);
  });

  it('keeps the batch on a retryable failure and backs off further each time', () => {
    let s = settle(two, two.entries, { kind: 'retry', retryAfter: '3' }, NOW, () => 0);
    expect(s.entries).toHaveLength(2);
    expect(s.attempt).toBe(1);
    expect(s.notBefore).toBe(NOW + 3000);
    s = settle(s, two.entries, { kind: 'retry', retryAfter: null }, NOW, () => 0.5);
    expect(s.attempt).toBe(2);
    expect(s.notBefore).toBe(NOW + 1000);
  });

  it('drops a rejected batch and counts its items', () => {
    const s = settle(two, two.entries, { kind: 'rejected' }, NOW, () => 0);
    expect(s.entries).toEqual([]);
    expect(s.rejected).toEqual({ logs: 5, metrics: 0 });
  });
});

describe('signalUrl', () => {
  it('appends /v1/<signal> to the base endpoint as the OTLP exporter spec says', () => {
    expect(signalUrl('http://127.0.0.1:4318', 'logs')).toBe('http://127.0.0.1:4318/v1/logs');
    expect(signalUrl('https://otel.example.com/', 'metrics')).toBe('https://otel.example.com/v1/metrics');
    expect(signalUrl('https://gw.example.com/otlp/', 'logs')).toBe('https://gw.example.com/otlp/v1/logs');
    expect(signalUrl('https://gw.example.com/otlp?tenant=a', 'metrics')).toBe('https://gw.example.com/otlp/v1/metrics?tenant=a');
    expect(() => signalUrl('/relative', 'logs')).toThrow(TypeError);
  });
});
