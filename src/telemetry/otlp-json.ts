/**
 * The little the outbox needs to know of OTLP/JSON (protobuf JSON mapping of
 * `opentelemetry/proto/collector/{logs,metrics}/v1`): merging queued export requests into one,
 * counting their items, and reading a partial-success answer. Pure.
 */
import type { Signal } from './outbox';

type Json = Record<string, unknown>;
const RESOURCE_KEY: Record<Signal, string> = { logs: 'resourceLogs', metrics: 'resourceMetrics' };
const SCOPE_KEY: Record<Signal, string> = { logs: 'scopeLogs', metrics: 'scopeMetrics' };
const ITEMS_KEY: Record<Signal, string> = { logs: 'logRecords', metrics: 'metrics' };

const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

/**
 * One export request holding everything in `bodies` (each an export request of `signal`), in
 * order. Resources that serialize identically are merged, and so are their scopes, so a
 * collector sees one ResourceLogs per resource rather than one per queued record; the proto's
 * repeated fields make either form valid.
 * @throws SyntaxError when a body is not JSON
 */
export function mergeRequests(signal: Signal, bodies: readonly string[]): string {
  const resources = new Map<
    string,
    { resource: unknown; schemaUrl?: unknown; scopes: Map<string, { scope: unknown; schemaUrl?: unknown; items: unknown[] }> }
  >();
  for (const body of bodies) {
    const request = JSON.parse(body) as Json;
    for (const rl of list(request[RESOURCE_KEY[signal]])) {
      const rKey = JSON.stringify([rl.resource ?? null, rl.schemaUrl ?? null]);
      let r = resources.get(rKey);
      if (!r) {
        r = { resource: rl.resource, schemaUrl: rl.schemaUrl, scopes: new Map() };
        resources.set(rKey, r);
      }
      for (const sl of list(rl[SCOPE_KEY[signal]])) {
        const sKey = JSON.stringify([sl.scope ?? null, sl.schemaUrl ?? null]);
        let s = r.scopes.get(sKey);
        if (!s) {
          s = { scope: sl.scope, schemaUrl: sl.schemaUrl, items: [] };
          r.scopes.set(sKey, s);
        }
        s.items.push(...list(sl[ITEMS_KEY[signal]]));
      }
    }
  }
  const out = [...resources.values()].map((r) => ({
    resource: r.resource,
    ...(r.schemaUrl === undefined ? {} : { schemaUrl: r.schemaUrl }),
    [SCOPE_KEY[signal]]: [...r.scopes.values()].map((s) => ({
      scope: s.scope,
      ...(s.schemaUrl === undefined ? {} : { schemaUrl: s.schemaUrl }),
      [ITEMS_KEY[signal]]: s.items,
    })),
  }));
  return JSON.stringify({ [RESOURCE_KEY[signal]]: out });
}

const POINT_KEYS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

/** Log records, or metric data points, in an export request (parsed JSON). */
export function countItems(signal: Signal, request: unknown): number {
  let n = 0;
  for (const rl of list((request as Json | null)?.[RESOURCE_KEY[signal]])) {
    for (const sl of list(rl[SCOPE_KEY[signal]])) {
      for (const item of list(sl[ITEMS_KEY[signal]])) {
        if (signal === 'logs') {
          n += 1;
          continue;
        }
        for (const k of POINT_KEYS) n += list((item[k] as Json | undefined)?.dataPoints).length;
      }
    }
  }
  return n;
}

/**
 * Items the collector refused in a 2xx answer (`partialSuccess.rejectedLogRecords` /
 * `rejectedDataPoints`, OTLP/HTTP "Partial Success"); 0 for an empty or non-JSON answer.
 * int64 fields may come as JSON strings (protobuf JSON mapping).
 */
export function rejectedInAnswer(signal: Signal, text: string): number {
  if (!text.trim()) return 0;
  try {
    const partial = (JSON.parse(text) as Json | null)?.partialSuccess as Json | undefined;
    const v = partial?.[signal === 'logs' ? 'rejectedLogRecords' : 'rejectedDataPoints'];
    const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : 0;
    return Number.isFinite(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}
