/**
 * The official OpenTelemetry JS SDK, set up for the service worker: a LoggerProvider and a
 * MeterProvider with the product's resource, whose exporters do not send anything themselves
 * but serialize each batch to OTLP/JSON with the packages' own serializer
 * (`@opentelemetry/otlp-transformer`, the one the OTLP/HTTP exporters use) and put it in the
 * persisted outbox (telemetry-store.ts), from which telemetry-sender.ts delivers it.
 *
 * Why not the packages' OTLPLogExporter / OTLPMetricExporter as transport: they do work in a
 * service worker (their browser build sends with `fetch`, not XMLHttpRequest or sendBeacon),
 * but they keep failed batches only in memory during a short retry loop (5 attempts within
 * the export timeout) and then drop them, and they do not tell the caller the `Retry-After`
 * they were given — so a worker restart or a collector down for a minute would lose data.
 * See docs/telemetry.md.
 */
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InstrumentType, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Histogram } from '@opentelemetry/api';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { JsonLogsSerializer, JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import type { TelemetryLogRecord } from '../../src/telemetry/incident-logs';
import type { ResourceValue } from '../../src/telemetry/resource';
import { ATTR_DROP_REASON, ATTR_SIGNAL, INSTRUMENTS, healthPoint } from '../../src/telemetry/session-metrics';
import type { QualitySample } from '../../src/telemetry/session-metrics';
import type { LossCounters, Signal } from '../../src/telemetry/outbox';
import type { SessionState } from '../../src/session/types';
import type { InstrumentSpec } from '../../src/telemetry/session-metrics';

type ExportResult = Parameters<Parameters<LogRecordExporter['export']>[1]>[0];
/** `ExportResultCode.SUCCESS` / `FAILED` of @opentelemetry/core. */
const SUCCESS = 0 as ExportResult['code'];
const FAILED = 1 as ExportResult['code'];

/** What the SDK needs from the worker. */
export interface TelemetrySdkOptions {
  resource: Record<string, ResourceValue>;
  /** Instrumentation scope version (the extension version). */
  version: string;
  /** Metric collection period, ms. */
  exportIntervalMs: number;
  /** Sessions to report health for at each collection (live ones). */
  liveSessions: () => SessionState[];
  /** Cumulative losses of the outbox, for `softphone_guard.telemetry.dropped`. */
  losses: () => { dropped: LossCounters; rejected: LossCounters };
  /** Puts one serialized export request in the outbox. */
  enqueue: (signal: Signal, body: string, items: number) => void;
}

/** The running SDK. */
export interface TelemetrySdk {
  emit(record: TelemetryLogRecord): void;
  recordQuality(sample: QualitySample): void;
  /** Collects and queues the metrics now. */
  flush(): Promise<void>;
  /** Collects and queues the metrics a last time, then stops. */
  shutdown(): Promise<void>;
}

/** Instrumentation scope name (the product; the scope version is the extension version). */
export const SCOPE_NAME = 'softphone-guard';

const decoder = new TextDecoder();

class OutboxLogExporter implements LogRecordExporter {
  constructor(private readonly enqueue: TelemetrySdkOptions['enqueue']) {}
  export(logs: ReadableLogRecord[], done: (result: ExportResult) => void): void {
    try {
      const bytes = JsonLogsSerializer.serializeRequest(logs);
      if (bytes && logs.length > 0) this.enqueue('logs', decoder.decode(bytes), logs.length);
      done({ code: SUCCESS });
    } catch (error) {
      done({ code: FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

class OutboxMetricExporter implements PushMetricExporter {
  constructor(private readonly enqueue: TelemetrySdkOptions['enqueue']) {}
  /**
   * Gauges as delta: each collection reports only the attribute sets observed in it, so a
   * session whose health changed is not also reported at its old level, and a closed tab
   * drops out (cumulative would repeat every last value ever seen). Sums and histograms stay
   * cumulative (the SDK default, what Prometheus-style backends expect).
   */
  selectAggregationTemporality(type: InstrumentType): AggregationTemporality {
    return type === InstrumentType.OBSERVABLE_GAUGE || type === InstrumentType.GAUGE
      ? AggregationTemporality.DELTA
      : AggregationTemporality.CUMULATIVE;
  }
  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    try {
      const points = metrics.scopeMetrics.reduce((n, s) => n + s.metrics.reduce((m, d) => m + d.dataPoints.length, 0), 0);
      const bytes = points > 0 ? JsonMetricsSerializer.serializeRequest(metrics) : undefined;
      if (bytes) this.enqueue('metrics', decoder.decode(bytes), points);
      done({ code: SUCCESS });
    } catch (error) {
      done({ code: FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Starts the providers. Collection runs every `exportIntervalMs` from now on. */
export function createTelemetrySdk(opts: TelemetrySdkOptions): TelemetrySdk {
  const resource = defaultResource().merge(resourceFromAttributes(opts.resource));
  const loggerProvider = new LoggerProvider({
    resource,
    // Simple: every record goes to the persisted outbox at once; batching happens there.
    processors: [new SimpleLogRecordProcessor({ exporter: new OutboxLogExporter(opts.enqueue) })],
  });
  const logger = loggerProvider.getLogger(SCOPE_NAME, opts.version);
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OutboxMetricExporter(opts.enqueue),
        exportIntervalMillis: opts.exportIntervalMs,
        exportTimeoutMillis: Math.min(30_000, opts.exportIntervalMs),
      }),
    ],
  });
  const meter = meterProvider.getMeter(SCOPE_NAME, opts.version);

  const histogram = (spec: InstrumentSpec): Histogram =>
    meter.createHistogram(spec.name, {
      unit: spec.unit,
      description: spec.description,
      ...(spec.boundaries ? { advice: { explicitBucketBoundaries: spec.boundaries } } : {}),
    });
  const rtt = histogram(INSTRUMENTS.rtt);
  const jitter = histogram(INSTRUMENTS.jitter);
  const loss = histogram(INSTRUMENTS.packetLoss);
  const mos = histogram(INSTRUMENTS.mos);

  meter
    .createObservableGauge(INSTRUMENTS.health.name, { unit: INSTRUMENTS.health.unit, description: INSTRUMENTS.health.description })
    .addCallback((result) => {
      for (const s of opts.liveSessions()) {
        const p = healthPoint(s);
        result.observe(p.value, p.attributes);
      }
    });
  meter
    .createObservableCounter(INSTRUMENTS.dropped.name, { unit: INSTRUMENTS.dropped.unit, description: INSTRUMENTS.dropped.description })
    .addCallback((result) => {
      const { dropped, rejected } = opts.losses();
      for (const signal of ['logs', 'metrics'] as const) {
        // Reported once something was lost: an idle browser sends nothing at all.
        if (dropped[signal] > 0) result.observe(dropped[signal], { [ATTR_SIGNAL]: signal, [ATTR_DROP_REASON]: 'outbox_full' });
        if (rejected[signal] > 0) result.observe(rejected[signal], { [ATTR_SIGNAL]: signal, [ATTR_DROP_REASON]: 'rejected' });
      }
    });

  return {
    emit(record) {
      logger.emit({
        eventName: record.eventName,
        timestamp: new Date(record.timestampMs),
        observedTimestamp: new Date(),
        severityNumber: record.severityNumber,
        severityText: record.severityText,
        body: record.body,
        attributes: record.attributes,
      });
    },
    recordQuality(sample) {
      if (sample.rttMs !== undefined) rtt.record(sample.rttMs, sample.attributes);
      if (sample.jitterMs !== undefined) jitter.record(sample.jitterMs, sample.attributes);
      if (sample.packetLossPct !== undefined) loss.record(sample.packetLossPct, sample.attributes);
      if (sample.mos !== undefined) mos.record(sample.mos, sample.attributes);
    },
    async flush() {
      await meterProvider.forceFlush();
    },
    async shutdown() {
      await Promise.allSettled([meterProvider.shutdown(), loggerProvider.shutdown()]);
    },
  };
}
