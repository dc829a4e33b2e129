/**
 * Health and call quality as OpenTelemetry metrics: the instruments (name, UCUM unit,
 * description, histogram buckets) and the values a session state gives them. Pure.
 *
 * Units are UCUM case-sensitive codes as the metrics semantic conventions ask: `ms`, `%`,
 * `1` (dimensionless), `{record}` (an annotation: a count of things).
 * Histogram buckets put a boundary on each quality threshold (Twilio's call-quality warnings,
 * docs/architecture.md §6: RTT > 400 ms, jitter > 30 ms, loss > 1 % (3 % on average), MOS < 3.0), so a
 * dashboard can count samples beyond a threshold exactly.
 */
import type { Health, SessionState } from '../session/types';
import { HEALTH_ORDER } from '../session/types';
import { sessionAttributes } from './session-attributes';
import type { TelemetryAttributes } from './session-attributes';

/** One instrument's identity. */
export interface InstrumentSpec {
  name: string;
  unit: string;
  description: string;
  /** Explicit histogram bucket boundaries (histograms only). */
  boundaries?: number[];
}

/** Attribute naming the health level on the health gauge. */
export const ATTR_HEALTH_STATE = 'softphone_guard.health.state';
/** Attribute naming the signal of a telemetry self-observation counter (`logs`, `metrics`). */
export const ATTR_SIGNAL = 'softphone_guard.telemetry.signal';
/** Attribute naming why telemetry items were lost (`outbox_full`, `rejected`). */
export const ATTR_DROP_REASON = 'softphone_guard.telemetry.drop_reason';

export const INSTRUMENTS = {
  /** Gauge, one point per live session. */
  health: {
    name: 'softphone_guard.session.health',
    unit: '1',
    description: 'Health of the agent session: 0 healthy, 1 degraded, 2 recovering, 3 down.',
  },
  rtt: {
    name: 'softphone_guard.call.rtt',
    unit: 'ms',
    description: 'Round-trip time of the call media, per stats sample.',
    boundaries: [25, 50, 100, 150, 200, 300, 400, 600, 1000, 2000],
  },
  jitter: {
    name: 'softphone_guard.call.jitter',
    unit: 'ms',
    description: 'Inbound audio jitter, per stats sample.',
    boundaries: [5, 10, 20, 30, 50, 100, 200],
  },
  packetLoss: {
    name: 'softphone_guard.call.packet_loss',
    unit: '%',
    description: 'Inbound audio packets lost, percent of expected, per stats sample.',
    boundaries: [0.5, 1, 2, 3, 5, 10, 20],
  },
  mos: {
    name: 'softphone_guard.call.mos',
    unit: '1',
    description: 'Estimated mean opinion score (1-5, simplified E-model), per stats sample.',
    boundaries: [1.5, 2, 2.5, 3, 3.5, 4, 4.5],
  },
  /** Monotonic counter of telemetry items lost before delivery. */
  dropped: {
    name: 'softphone_guard.telemetry.dropped',
    unit: '{record}',
    description: 'Log records and metric data points dropped: oldest first when the outbox was full, or rejected by the collector.',
  },
} as const satisfies Record<string, InstrumentSpec>;

/** The health gauge's value: the level's index in HEALTH_ORDER (0 healthy … 3 down). */
export function healthValue(health: Health): number {
  return Math.max(0, HEALTH_ORDER.indexOf(health));
}

/** One point of the health gauge for a session. */
export function healthPoint(session: SessionState): { value: number; attributes: TelemetryAttributes } {
  return { value: healthValue(session.health), attributes: { ...sessionAttributes(session), [ATTR_HEALTH_STATE]: session.health } };
}

/** A new quality sample of a call; only the values the stats had. */
export interface QualitySample {
  attributes: TelemetryAttributes;
  rttMs?: number;
  jitterMs?: number;
  packetLossPct?: number;
  mos?: number;
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The quality sample a state brings, or null when its stats are not newer than
 * `lastStatsAt` (the `statsAt` already recorded for this tab) or hold no value.
 */
export function newQualitySample(session: SessionState, lastStatsAt: number | undefined): QualitySample | null {
  const m = session.media;
  if (m.statsAt === undefined || (lastStatsAt !== undefined && m.statsAt <= lastStatsAt)) return null;
  const sample: QualitySample = { attributes: sessionAttributes(session) };
  if (finite(m.rttMs)) sample.rttMs = m.rttMs;
  if (finite(m.jitterMs)) sample.jitterMs = m.jitterMs;
  if (finite(m.packetLossPct)) sample.packetLossPct = m.packetLossPct;
  if (finite(m.mos)) sample.mos = m.mos;
  return Object.keys(sample).length > 1 ? sample : null;
}
