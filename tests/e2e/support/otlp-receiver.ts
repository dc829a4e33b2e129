/**
 * A local OTLP/HTTP receiver for e2e tests: a Node http server on 127.0.0.1 that takes
 * `POST /v1/logs` and `POST /v1/metrics` as an OpenTelemetry Collector's `otlphttp` receiver
 * would, decodes what arrives (OTLP/JSON with JSON.parse; a protobuf body is kept undecoded
 * and flagged, the extension sends JSON) and keeps every request for the test to inspect.
 * It can be told to answer like a collector that is down (`503` with `Retry-After`), or be
 * stopped and restarted on the same port (connection refused in between).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it arrived. */
export interface ReceivedRequest {
  /** `/v1/logs`, `/v1/metrics`, or whatever else was asked. */
  path: string;
  method: string;
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body as text (UTF-8). */
  text: string;
  /** The decoded OTLP/JSON request, or null when it was not JSON. */
  json: OtlpRequest | null;
  /** Epoch ms. */
  receivedAt: number;
  /** The status the receiver answered with. */
  status: number;
}

/** OTLP/JSON (protobuf JSON mapping), the parts the tests read. */
export interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpAnyValue[] };
}
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
export interface OtlpLogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  eventName?: string;
  body?: OtlpAnyValue;
  attributes?: OtlpKeyValue[];
}
export interface OtlpMetric {
  name: string;
  unit?: string;
  description?: string;
  gauge?: { dataPoints: Array<{ asDouble?: number; asInt?: string | number; timeUnixNano?: string; attributes?: OtlpKeyValue[] }> };
  sum?: { dataPoints: Array<{ asDouble?: number; asInt?: string | number; attributes?: OtlpKeyValue[] }>; isMonotonic?: boolean };
  histogram?: {
    dataPoints: Array<{
      count: string | number;
      sum?: number;
      bucketCounts?: Array<string | number>;
      explicitBounds?: number[];
      attributes?: OtlpKeyValue[];
    }>;
  };
}
export interface OtlpResource {
  attributes?: OtlpKeyValue[];
}
export interface OtlpRequest {
  resourceLogs?: Array<{
    resource?: OtlpResource;
    scopeLogs?: Array<{ scope?: { name?: string; version?: string }; logRecords?: OtlpLogRecord[] }>;
  }>;
  resourceMetrics?: Array<{
    resource?: OtlpResource;
    scopeMetrics?: Array<{ scope?: { name?: string; version?: string }; metrics?: OtlpMetric[] }>;
  }>;
}

/** How the receiver answers the next requests. */
export type ReceiverMode = { kind: 'ok' } | { kind: 'unavailable'; status: 503 | 429; retryAfterSeconds: number };

export interface OtlpReceiver {
  /** Base endpoint to configure (`telemetry.otlpEndpoint`): `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** Every request so far, oldest first (also the refused ones). */
  requests: ReceivedRequest[];
  setMode(mode: ReceiverMode): void;
  /** Stops listening (connections are refused) until {@link OtlpReceiver.start}. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Attribute value as plain JS (string, number, boolean, array). */
export function anyValue(v: OtlpAnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValue);
  return undefined;
}

/** Attributes as a plain object. */
export function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]));
}

/** Every log record accepted so far (2xx answers only), with its resource's attributes. */
export function acceptedLogs(
  r: OtlpReceiver,
): Array<OtlpLogRecord & { resource: Record<string, unknown>; attrs: Record<string, unknown> }> {
  return r.requests
    .filter((q) => q.path === '/v1/logs' && q.status === 200 && q.json)
    .flatMap((q) =>
      (q.json?.resourceLogs ?? []).flatMap((rl) =>
        (rl.scopeLogs ?? []).flatMap((sl) =>
          (sl.logRecords ?? []).map((lr) => ({
            ...lr,
            resource: attributesOf(rl.resource?.attributes),
            attrs: attributesOf(lr.attributes),
          })),
        ),
      ),
    );
}

/** Every metric accepted so far (2xx answers only), with its resource's attributes. */
export function acceptedMetrics(r: OtlpReceiver): Array<OtlpMetric & { resource: Record<string, unknown> }> {
  return r.requests
    .filter((q) => q.path === '/v1/metrics' && q.status === 200 && q.json)
    .flatMap((q) =>
      (q.json?.resourceMetrics ?? []).flatMap((rm) =>
        (rm.scopeMetrics ?? []).flatMap((sm) => (sm.metrics ?? []).map((m) => ({ ...m, resource: attributesOf(rm.resource?.attributes) }))),
      ),
    );
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts a receiver on 127.0.0.1 (a free port unless `port` is given). */
export async function startOtlpReceiver(opts: { port?: number } = {}): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  let mode: ReceiverMode = { kind: 'ok' };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // The extension's worker needs no CORS (host permission), but a collector would send these.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    const raw = await readBody(req);
    const contentType = String(req.headers['content-type'] ?? '');
    const text = raw.toString('utf8');
    let json: OtlpRequest | null = null;
    if (contentType.includes('json')) {
      try {
        json = JSON.parse(text) as OtlpRequest;
      } catch {
        json = null;
      }
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let status: number;
    if (mode.kind === 'unavailable') {
      status = mode.status;
      res.writeHead(status, { 'Content-Type': 'application/json', 'Retry-After': String(mode.retryAfterSeconds) }).end('{}');
    } else if (req.method !== 'POST' || (path !== '/v1/logs' && path !== '/v1/metrics')) {
      status = 404;
      res.writeHead(404).end();
    } else if (!json) {
      // OTLP/HTTP: a body the server cannot decode is a 400 Bad Request (not retryable).
      status = 400;
      res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"code":3,"message":"not OTLP/JSON"}');
    } else {
      status = 200;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    }
    requests.push({ path, method: req.method ?? '', contentType, headers: req.headers, text, json, receivedAt: Date.now(), status });
  };

  let server: Server | null = null;
  let port = opts.port ?? 0;
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer((req, res) => {
        handle(req, res).catch(() => res.writeHead(500).end());
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });
  const halt = (): Promise<void> =>
    new Promise((resolve) => {
      const s = server;
      server = null;
      if (!s) return resolve();
      s.close(() => resolve());
      s.closeAllConnections();
    });

  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    requests,
    setMode(next) {
      mode = next;
    },
    stop: halt,
    start: listen,
    close: halt,
  };
}
