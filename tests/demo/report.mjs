/**
 * Pure helpers for the demo's side-by-side table.
 */

/**
 * Failures the app itself counted between two `labSoftphone.status()` snapshots.
 * @param {any} before status before the storm
 * @param {any} after status at the end
 * @returns {number}
 */
export function failuresBetween(before, after) {
  const keys = ['http401', 'http429', 'http408', 'http5xx', 'httpOther', 'wsAbnormalCloses'];
  return keys.reduce((n, k) => n + Math.max(0, (after?.failures?.[k] ?? 0) - (before?.failures?.[k] ?? 0)), 0);
}

/**
 * What the agent's other documents went through (agents.mjs `topologyState` before and after),
 * in words for the table; null for a softphone tab of its own.
 * @param {any} before
 * @param {any} after
 * @returns {{ text: string, crmKept?: boolean, allTabsReloaded?: boolean, newWorker?: boolean } | null}
 */
export function describeTopology(before, after) {
  if (!before || !after) return null;
  if ('crmKept' in after) {
    return { text: after.crmKept ? 'same page, notes kept' : 'RELOADED, notes lost', crmKept: after.crmKept };
  }
  const reloaded = after.loadCounts.filter((n, i) => n !== null && n !== before.loadCounts[i]).length;
  const newWorker = after.workerIds[0] !== null && !before.workerIds.includes(after.workerIds[0]);
  return {
    text: `${reloaded} of ${after.loadCounts.length} tabs reloaded, ${newWorker ? 'new worker' : 'same worker'}`,
    allTabsReloaded: reloaded === after.loadCounts.length,
    newWorker,
  };
}

/**
 * One column of the table.
 * @returns {{label:string, canTakeCall:boolean, readyAfterMs:number|null, appFailures:number,
 *   failureDetail:Record<string,number>, sawMediaToken401:boolean, saw401:boolean, reloaded:boolean,
 *   presence:string, micSpeaker:string, refreshCalls:number, callAtFault:string, deadlineMs:number,
 *   topology: ReturnType<typeof describeTopology>}}
 * `callAtFault`: what became of a call in progress when the fault hit ('—' when none was).
 * `saw401`: the app counted a 401 on any request. `topology`: the CRM page framing the
 * softphone, or the tabs sharing its worker (null for a softphone tab of its own).
 */
export function summarizeRun({
  label,
  before,
  after,
  readyAfterMs,
  tookCall,
  callAtFault = '—',
  deadlineMs,
  refreshCalls,
  mediaToken401Key,
  topologyBefore = null,
  topologyAfter = null,
}) {
  const diff = {};
  for (const [k, v] of Object.entries(after?.failures?.byRequest ?? {})) {
    const d = v - (before?.failures?.byRequest?.[k] ?? 0);
    if (d > 0) diff[k] = d;
  }
  return {
    label,
    canTakeCall: Boolean(tookCall),
    readyAfterMs,
    appFailures: failuresBetween(before, after),
    failureDetail: diff,
    sawMediaToken401: (diff[mediaToken401Key] ?? 0) > 0,
    saw401: (after?.failures?.http401 ?? 0) > (before?.failures?.http401 ?? 0),
    reloaded: (after?.loadCount ?? 0) !== (before?.loadCount ?? 0),
    presence: after?.presence ?? 'unknown',
    micSpeaker: after?.micEnabled && after?.speakerEnabled ? 'enabled' : 'greyed out',
    refreshCalls,
    callAtFault,
    deadlineMs,
    topology: describeTopology(topologyBefore, topologyAfter),
  };
}

const yesNo = (b) => (b ? 'yes' : 'no');
/** A reloaded tab's counters start again: its figures are those of the document at the end. */
const sinceReload = (r) => (r.reloaded ? ' (since the reload)' : '');

/**
 * Renders columns as a plain-text table.
 * @param {ReturnType<typeof summarizeRun>[]} rows
 * @returns {string}
 */
export function formatTable(rows) {
  const lines = [
    ['', ...rows.map((r) => r.label)],
    ['agent can take a call again', ...rows.map((r) => (r.canTakeCall ? 'yes' : 'NO (stuck)'))],
    [
      'time from fault to ready for calls',
      ...rows.map((r) => (r.readyAfterMs === null ? `not within ${r.deadlineMs / 1000} s` : `${(r.readyAfterMs / 1000).toFixed(1)} s`)),
    ],
    ['failures the app saw', ...rows.map((r) => `${r.appFailures}${sinceReload(r)}`)],
    ['401 on media-token request', ...rows.map((r) => `${yesNo(r.sawMediaToken401)}${sinceReload(r)}`)],
    ['any 401 seen by the app', ...rows.map((r) => `${yesNo(r.saw401)}${sinceReload(r)}`)],
    ['presence at the end', ...rows.map((r) => r.presence)],
    ['mic / speaker', ...rows.map((r) => r.micSpeaker)],
    ['tab reloaded', ...rows.map((r) => yesNo(r.reloaded))],
    ['refresh-endpoint calls', ...rows.map((r) => String(r.refreshCalls))],
  ];
  if (rows.some((r) => r.topology && 'crmKept' in r.topology))
    lines.push(['CRM page framing the softphone', ...rows.map((r) => r.topology?.text ?? '—')]);
  else if (rows.some((r) => r.topology)) lines.push(['tabs sharing the worker', ...rows.map((r) => r.topology?.text ?? '—')]);
  if (rows.some((r) => r.callAtFault !== '—')) lines.push(['call in progress at the fault', ...rows.map((r) => r.callAtFault)]);
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  const fmt = (l) => l.map((cell, c) => cell.padEnd(widths[c])).join('  │  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('──┼──');
  return [fmt(lines[0]), rule, ...lines.slice(1).map(fmt)].join('\n');
}
