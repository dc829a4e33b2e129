/**
 * The short plain-text summary of an export bundle, to paste into a support ticket: who, what
 * browser and version, when, each agent session with its health and latest incidents (what
 * was done and how it went), where the configuration came from, and call quality medians.
 *
 * English only on purpose: tickets are read by support and IT, not shown to the agent.
 * At most {@link MAX_SUMMARY_LINES} lines; the bundle holds the rest. The text is built from
 * the redacted bundle and passes the redaction choke point once more.
 */
import { redactString } from '../redact/redact';
import type { BundleIncident, BundleSession, CallStats, ExportBundle, MetricSummary } from './bundle-schema';

/** Longest summary, lines. */
export const MAX_SUMMARY_LINES = 40;
/** Sessions described; the rest are counted. */
export const MAX_SUMMARY_SESSIONS = 4;
/** Latest incidents listed per session. */
export const MAX_SUMMARY_INCIDENTS = 3;
/** Calls listed per session (the latest). */
export const MAX_SUMMARY_CALLS = 2;

const pad = (n: number): string => String(n).padStart(2, '0');
/** `20,000`: counts read at a glance. */
const num = (n: number): string => n.toLocaleString('en-US');

/** `06:11:58Z`, or `2026-12-02 06:11:58Z` when not on the day of `today` (UTC). */
function stamp(at: number, today: number): string {
  const d = new Date(at);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`;
  const day = d.toISOString().slice(0, 10);
  return day === new Date(today).toISOString().slice(0, 10) ? time : `${day} ${time}`;
}

/** `850 ms`, `4 s`, `12 min`, `3 h`. */
export function shortDuration(ms: number): string {
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 120_000) return `${Math.round(v / 1000)} s`;
  if (v < 7_200_000) return `${Math.round(v / 60_000)} min`;
  return `${Math.round(v / 3_600_000)} h`;
}

function browserName(bundle: ExportBundle): string {
  const { brands, platform, userAgent } = bundle.environment.browser;
  // Client Hints add a GREASE brand ("Not_A Brand", RFC 8942 §3.2 style); the engine brand
  // "Chromium" is listed next to the product's own brand when there is one.
  const real = brands.filter((b) => !/not.?a.?brand/i.test(b.brand));
  const product = real.find((b) => b.brand !== 'Chromium') ?? real[0];
  const name = product ? `${product.brand} ${product.version}` : userAgent || 'unknown browser';
  return platform ? `${name} on ${platform}` : name;
}

function agentLine(s: BundleSession): string {
  const who = s.agent
    ? `Agent ${s.agent.name ? `${s.agent.name} (${s.agent.userId})` : s.agent.userId}${s.agent.orgId ? `, org ${s.agent.orgId}` : ''}`
    : 'Unknown agent';
  const state = s.alive ? 'live' : `ended${s.endedAt !== undefined ? ` ${stamp(s.endedAt, s.updatedAt)}` : ''}`;
  return `${who}, tab ${s.tabId}: ${s.health} (${state})`;
}

function incidentLine(i: BundleIncident, today: number): string {
  const status = i.resolvedAt !== undefined ? `resolved after ${shortDuration(i.resolvedAt - i.openedAt)}` : 'still open';
  const steps = i.steps.length === 0 ? 'nothing done yet' : `done: ${i.steps.map((st) => `${st.action} ${st.outcome}`).join(', ')}`;
  return `  - ${stamp(i.openedAt, today)} ${i.kind}: ${i.summary}; ${status}; ${steps}`;
}

function metric(label: string, m: MetricSummary, unit: string): string {
  return m.median === null ? `${label} n/a` : `${label} ${m.median}${unit}`;
}

function callLine(c: CallStats): string {
  return (
    `  Call ${c.pcId} (${c.samples} samples): medians ` +
    [
      metric('RTT', c.rttMs, ' ms'),
      metric('jitter', c.jitterMs, ' ms'),
      metric('loss', c.packetLossPct, ' %'),
      metric('MOS', c.mos, ''),
    ].join(', ')
  );
}

function sessionLines(s: BundleSession, bundle: ExportBundle, today: number): string[] {
  const lines = [agentLine(s), `  Now: ${s.healthReason}`];
  // The store may hold more of this tab's incidents than the 20 the session keeps inline.
  const stored = bundle.incidents.filter((i) => i.tabId === s.tabId);
  const all = stored.length >= s.incidents.length ? stored : s.incidents;
  const latest = [...all].sort((a, b) => b.openedAt - a.openedAt).slice(0, MAX_SUMMARY_INCIDENTS);
  if (latest.length === 0) lines.push('  Incidents: none');
  else {
    lines.push(`  Incidents (latest ${latest.length} of ${all.length}):`);
    for (const i of latest) lines.push(incidentLine(i, today));
  }
  const calls = bundle.callStats.filter((c) => c.tabId === s.tabId).slice(-MAX_SUMMARY_CALLS);
  for (const c of calls) lines.push(callLine(c));
  return lines;
}

/**
 * The summary text, lines separated by `\n`, at most {@link MAX_SUMMARY_LINES} lines.
 * @param bundle a bundle from `buildBundle` (already redacted)
 */
export function summaryText(bundle: ExportBundle): string {
  const now = Date.parse(bundle.generatedAt);
  const env = bundle.environment;
  const c = env.configSourceCounts;
  const problems = env.configProblems.length;
  const eb = bundle.eventsBound;
  const lines = [
    `Softphone Guard diagnostics summary (bundle format ${bundle.version})`,
    `When: ${bundle.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')} (machine time zone ${env.timeZone})`,
    `Extension: ${env.extensionVersion}`,
    `Browser: ${browserName(bundle)}`,
    `Configuration: ${c.policy} settings from policy, ${c.user} from user settings, ${c.default} defaults; ` +
      `${problems === 0 ? 'no problems' : `${problems} invalid ${problems === 1 ? 'value' : 'values'} ignored`}` +
      `${env.policyLoaded ? '' : ' (policy not read yet)'}`,
    `Stored: ${num(eb.stored)} events (${eb.truncated ? `newest ${num(eb.included)} in the bundle` : 'all in the bundle'}), ${num(bundle.incidentsBound.stored)} incidents`,
  ];
  const sessions = bundle.sessions.slice(0, MAX_SUMMARY_SESSIONS);
  if (sessions.length === 0) lines.push('', 'No softphone session monitored.');
  for (const s of sessions) lines.push('', ...sessionLines(s, bundle, now));
  const more = bundle.sessions.length - sessions.length;
  if (more > 0) lines.push('', `${more} more ${more === 1 ? 'session' : 'sessions'} in the bundle.`);
  const kept = lines.length <= MAX_SUMMARY_LINES ? lines : [...lines.slice(0, MAX_SUMMARY_LINES - 1), '… more in the JSON bundle.'];
  return redactString(kept.join('\n'));
}
