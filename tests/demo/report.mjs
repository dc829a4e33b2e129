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
 * One column of the table.
 * @returns {{label:string, canTakeCall:boolean, readyAfterMs:number|null, appFailures:number,
 *   failureDetail:Record<string,number>, sawMediaToken401:boolean, reloaded:boolean,
 *   presence:string, micSpeaker:string, refreshCalls:number, callAtFault:string, deadlineMs:number}}
 * `callAtFault`: what became of a call in progress when the fault hit ('—' when none was).
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
    reloaded: (after?.loadCount ?? 0) !== (before?.loadCount ?? 0),
    presence: after?.presence ?? 'unknown',
    micSpeaker: after?.micEnabled && after?.speakerEnabled ? 'enabled' : 'greyed out',
    refreshCalls,
    callAtFault,
    deadlineMs,
  };
}

const yesNo = (b) => (b ? 'yes' : 'no');

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
    ['failures the app saw', ...rows.map((r) => String(r.appFailures))],
    ['401 on media-token request', ...rows.map((r) => yesNo(r.sawMediaToken401))],
    ['presence at the end', ...rows.map((r) => r.presence)],
    ['mic / speaker', ...rows.map((r) => r.micSpeaker)],
    ['tab reloaded', ...rows.map((r) => yesNo(r.reloaded))],
    ['refresh-endpoint calls', ...rows.map((r) => String(r.refreshCalls))],
  ];
  if (rows.some((r) => r.callAtFault !== '—')) lines.push(['call in progress at the fault', ...rows.map((r) => r.callAtFault)]);
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  const fmt = (l) => l.map((cell, c) => cell.padEnd(widths[c])).join('  │  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('──┼──');
  return [fmt(lines[0]), rule, ...lines.slice(1).map(fmt)].join('\n');
}
