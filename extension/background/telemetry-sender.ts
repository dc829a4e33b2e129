/**
 * Delivers the telemetry outbox to the collector over OTLP/HTTP (JSON encoding, `POST
 * {endpoint}/v1/logs` and `/v1/metrics`) with `fetch`, one request at a time, oldest first.
 * The policy — what to send next, what a status means, how long to back off — is the pure
 * src/telemetry/outbox.ts; this file only talks to the network and the timer.
 *
 * Nothing here is awaited by anyone: the recovery path never waits on telemetry, and a
 * collector that is down or slow costs one pending fetch (aborted after EXPORT_TIMEOUT_MS), a
 * timer and an alarm.
 *
 * The timer dies with the worker, which Chrome stops after 30 s without events: a collector
 * asking for a minute (`Retry-After`, or the backoff after a few failures) would otherwise get
 * the buffered records only when something else woke the worker — with no softphone open,
 * perhaps the next morning. So every wait also sets the alarm {@link TELEMETRY_ALARM} for when
 * it ends; it wakes a stopped worker, whose start-up (telemetry.ts `startTelemetry`) reads the
 * persisted outbox and sends what is due. (Chrome fires a packed extension's alarms 30 s from
 * now at the soonest; shorter waits end by the timer, in a worker still running.)
 */
import browser from 'webextension-polyfill';
import type { Alarms } from 'webextension-polyfill';
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

/** Name of the alarm that wakes a stopped worker when the outbox is next due. */
export const TELEMETRY_ALARM = 'sg-telemetry-due';

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
  // The alarm is replaced, not cleared first: `create` of the same name replaces it, and a
  // `clear` still in flight could remove the new one.
  if (timer !== undefined) clearTimeout(timer);
  timerAt = at;
  timer = setTimeout(
    () => {
      timer = undefined;
      timerAt = Infinity;
      kickTelemetry();
    },
    Math.max(0, at - Date.now()),
  );
  browser.alarms.create(TELEMETRY_ALARM, { when: at }).catch((error: unknown) => warn('telemetry alarm not set', error));
}

function disarm(): void {
  const armed = timer !== undefined;
  if (armed) clearTimeout(timer);
  timer = undefined;
  timerAt = Infinity;
  if (armed) browser.alarms.clear(TELEMETRY_ALARM).catch(() => undefined);
}

/**
 * alarms.onAlarm listener: the wait set by a worker that has since stopped is over. Sends
 * what is due if the target is known already; otherwise start-up does once the configuration
 * and the outbox are read.
 */
export function handleTelemetryAlarm(alarm: Alarms.Alarm): void {
  if (alarm.name === TELEMETRY_ALARM) kickTelemetry();
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
