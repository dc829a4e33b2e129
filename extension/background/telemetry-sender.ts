/**
 * Delivers the telemetry outbox to the collector over OTLP/HTTP (JSON encoding, `POST
 * {endpoint}/v1/logs` and `/v1/metrics`) with `fetch`, one request at a time, oldest first.
 * The policy — what to send next, what a status means, how long to back off — is the pure
 * src/telemetry/outbox.ts; this file only talks to the network and the timer.
 *
 * Nothing here is awaited by anyone: the recovery path never waits on telemetry, and a
 * collector that is down or slow costs one pending fetch (aborted after EXPORT_TIMEOUT_MS) and
 * a timer.
 */
import { classifyStatus, EXPORT_TIMEOUT_MS, nextBatch, settle, signalUrl } from '../../src/telemetry/outbox';
import type { Delivery, OutboxEntry } from '../../src/telemetry/outbox';
import { mergeRequests, rejectedInAnswer } from '../../src/telemetry/otlp-json';
import { currentOutbox, updateOutbox } from './telemetry-store';
import { warn } from './log';

/** Where to send: the configured base endpoint and extra headers (`telemetry.headers`). */
export interface TelemetryTarget {
  endpoint: string;
  headers: Record<string, string>;
}

/**
 * How long a new entry waits for company before it is sent, ms: the records of one incident
 * burst (a publish storm yields a dozen within a second) go out in one request.
 */
export const LINGER_MS = 1000;

let target: TelemetryTarget | null = null;
let inFlight = false;
let timer: ReturnType<typeof setTimeout> | undefined;
let timerAt = Infinity;

/** Sets (or, with null, removes) the collector; sending resumes or stops accordingly. */
export function setTelemetryTarget(next: TelemetryTarget | null): void {
  target = next;
  if (!next) disarm();
  kickTelemetry();
}

/** Sends now if something is due, else arms the timer for when it will be. Never throws. */
export function kickTelemetry(): void {
  if (!target || inFlight) return;
  const outbox = currentOutbox();
  const first = outbox.entries[0];
  if (!first) {
    disarm();
    return;
  }
  const now = Date.now();
  const due = Math.max(outbox.notBefore, first.queuedAt + LINGER_MS);
  if (due > now) {
    arm(due);
    return;
  }
  const batch = nextBatch(outbox, now);
  if (batch) void deliver(target, batch);
}

function arm(at: number): void {
  if (timer !== undefined && timerAt <= at) return;
  disarm();
  timerAt = at;
  timer = setTimeout(
    () => {
      timer = undefined;
      timerAt = Infinity;
      kickTelemetry();
    },
    Math.max(0, at - Date.now()),
  );
}

function disarm(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  timerAt = Infinity;
}

async function deliver(to: TelemetryTarget, batch: OutboxEntry[]): Promise<void> {
  inFlight = true;
  disarm();
  const signal = batch[0]?.signal ?? 'logs';
  let result: Delivery;
  try {
    result = await post(to, signal, batch);
  } catch (error) {
    // A fetch that rejects (network down, connection refused, timeout) is retryable (OTLP/HTTP).
    warn(`telemetry ${signal} not delivered, will retry`, error instanceof Error ? error.name : 'error');
    result = { kind: 'retry', retryAfter: null };
  } finally {
    inFlight = false;
  }
  updateOutbox((outbox) => settle(outbox, batch, result, Date.now(), Math.random));
  kickTelemetry();
}

async function post(to: TelemetryTarget, signal: OutboxEntry['signal'], batch: OutboxEntry[]): Promise<Delivery> {
  let body: string;
  try {
    body = mergeRequests(
      signal,
      batch.map((e) => e.body),
    );
  } catch {
    // Not JSON: no collector would ever take it. Counted as rejected rather than retried forever.
    return { kind: 'rejected' };
  }
  const response = await fetch(signalUrl(to.endpoint, signal), {
    method: 'POST',
    headers: { ...to.headers, 'Content-Type': 'application/json' },
    body,
    credentials: 'omit',
    cache: 'no-store',
    signal: AbortSignal.timeout(EXPORT_TIMEOUT_MS),
  });
  const kind = classifyStatus(response.status);
  if (kind === 'ok') {
    const text = await response.text().catch(() => '');
    return { kind: 'ok', rejectedItems: rejectedInAnswer(signal, text) };
  }
  void response.body?.cancel().catch(() => undefined);
  if (kind === 'retry') return { kind: 'retry', retryAfter: response.headers.get('Retry-After') };
  warn(`the collector refused telemetry ${signal} (HTTP ${response.status}); dropped`);
  return { kind: 'rejected' };
}
