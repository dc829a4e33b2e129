/**
 * Builds the diagnostics export bundle (schema: ./bundle-schema.ts, docs/export-bundle.md)
 * from what the worker gathered. Pure: no browser API, the clock is passed in.
 *
 * Everything in the inputs should already be redacted (the store only holds redacted data),
 * and the configuration is redacted here again with `redactConfig`; then the whole bundle
 * goes through the redaction choke point once more (`redactValue`, defence in depth) with
 * limits large enough that a bundle at its bounds is never cut.
 */
import { QUALITY_THRESHOLDS } from '../format/quality';
import type { ConfigSource, ResolvedConfig } from '../policy/resolve';
import { redactConfig } from '../policy/redact-config';
import type { SessionView, StoredEvent } from '../protocol/ui';
import { redactValue } from '../redact/redact';
import type { RedactOptions } from '../redact/redact';
import type { Incident } from '../session/types';
import { EXPORT_BUNDLE_FORMAT, EXPORT_BUNDLE_VERSION } from './bundle-schema';
import type { BundleEnvironment, ExportBundle } from './bundle-schema';
import { summarizeCalls } from './call-stats';

/** Newest stored events a bundle holds (about 10 MB of JSON at the most). */
export const MAX_EXPORT_EVENTS = 20_000;
/** Newest stored incidents a bundle holds. */
export const MAX_EXPORT_INCIDENTS = 2_000;

/**
 * Limits for the final `redactValue` pass: far above what a bundle at
 * {@link MAX_EXPORT_EVENTS} / {@link MAX_EXPORT_INCIDENTS} holds (≈ 20 values per event), so
 * nothing is cut; strings keep the store's own bound (8,192 code units).
 */
export const EXPORT_REDACT_OPTIONS: Required<RedactOptions> = {
  maxDepth: 32,
  maxStringLength: 8192,
  maxArrayLength: 100_000,
  maxKeys: 10_000,
  maxNodes: 5_000_000,
};

/** The browser as the worker sees it (`navigator.userAgent`, User-Agent Client Hints). */
export interface BrowserInfo {
  userAgent: string;
  /** Brands with their versions (full versions when the browser gave them). */
  brands: { brand: string; version: string }[];
  /** Client Hints platform, `''` when unknown. */
  platform: string;
}

/** What {@link buildBundle} needs. */
export interface BundleInputs {
  /** Epoch ms of the export. */
  now: number;
  /** Manifest `version`. */
  extensionVersion: string;
  browser: BrowserInfo;
  /** IANA time zone of the machine. */
  timeZone: string;
  /** The configuration resolution in force (src/policy/resolve.ts); redacted here. */
  resolution: Pick<ResolvedConfig, 'config' | 'sources' | 'problems'>;
  /** Whether the policy had been read once since the worker started. */
  policyLoaded: boolean;
  /** Sessions as `get-state` gives them (live first, newest first). */
  sessions: readonly SessionView[];
  /** The newest stored incidents, at most `incidentsLimit`, any order. */
  incidents: readonly Incident[];
  /** Incidents in the store. */
  incidentsStored: number;
  /** The bound the caller applied to `incidents`. */
  incidentsLimit: number;
  /** The newest stored events, at most `eventsLimit`, any order. */
  events: readonly StoredEvent[];
  /** Events in the store. */
  eventsStored: number;
  /** The bound the caller applied to `events`. */
  eventsLimit: number;
}

function environment(inputs: BundleInputs): BundleEnvironment {
  const { config, sources, problems } = inputs.resolution;
  const counts: Record<ConfigSource, number> = { policy: 0, user: 0, default: 0 };
  for (const source of Object.values(sources) as ConfigSource[]) counts[source] += 1;
  return {
    extensionVersion: inputs.extensionVersion,
    browser: { userAgent: inputs.browser.userAgent, brands: inputs.browser.brands, platform: inputs.browser.platform },
    timeZone: inputs.timeZone,
    config: redactConfig(config),
    configSources: { ...sources },
    configSourceCounts: counts,
    // The rejected values stay out: the options page shows them, a ticket needs the reason.
    configProblems: problems.map((p) => ({ key: p.key, source: p.source, message: p.message })),
    policyLoaded: inputs.policyLoaded,
  };
}

function bound(included: number, stored: number, limit: number): ExportBundle['eventsBound'] {
  const total = Math.max(stored, included);
  return { limit, included, stored: total, truncated: total > included };
}

/**
 * The bundle, redacted.
 *
 * Events come out oldest first (by store sequence, then time), incidents newest first.
 * @returns a value that {@link ExportBundleSchema} accepts
 */
export function buildBundle(inputs: BundleInputs): ExportBundle {
  const events = [...inputs.events].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0) || a.at - b.at);
  const incidents = [...inputs.incidents].sort((a, b) => b.openedAt - a.openedAt || b.id.localeCompare(a.id));
  const bundle: ExportBundle = {
    format: EXPORT_BUNDLE_FORMAT,
    version: EXPORT_BUNDLE_VERSION,
    generatedAt: new Date(inputs.now).toISOString(),
    environment: environment(inputs),
    sessions: inputs.sessions.map((s) => ({ ...s })),
    incidents,
    incidentsBound: bound(incidents.length, inputs.incidentsStored, inputs.incidentsLimit),
    events,
    eventsBound: bound(events.length, inputs.eventsStored, inputs.eventsLimit),
    callStats: summarizeCalls(events),
    thresholds: { ...QUALITY_THRESHOLDS },
  };
  return redactValue(bundle, EXPORT_REDACT_OPTIONS) as ExportBundle;
}

/**
 * File name for an export made at `now`: `softphone-guard-2026-12-03T0612Z.json` (UTC,
 * minutes; `.txt` for the summary).
 */
export function exportFilename(now: number, kind: 'bundle' | 'summary'): string {
  const iso = new Date(now).toISOString();
  const stamp = `${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  return `softphone-guard-${stamp}.${kind === 'bundle' ? 'json' : 'txt'}`;
}
