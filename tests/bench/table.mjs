/**
 * The printed result table of a benchmark run (pure: result JSON in, text out).
 */

const fmt = (v, digits = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));
const ratio = (r) => (r && r.n > 0 ? `${fmt(r.median, 3)} [${fmt(r.min, 3)}–${fmt(r.max, 3)}]` : '—');
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

function grid(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? '').length)));
  const line = (r) => r.map((cell, c) => String(cell ?? '').padEnd(widths[c])).join(' │ ');
  return [line(rows[0]), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...rows.slice(1).map(line)].join('\n');
}

/**
 * @param {any} result the JSON written by run-bench.mjs
 * @returns {string} one plain-text block per section that ran
 */
export function formatResult(result) {
  const out = [];
  const o = result.overhead;
  if (o?.figures?.length) {
    out.push(`Probe overhead — median of ${o.runs} run(s); ratio = wrapped ÷ native per run, median [min–max]`);
    out.push(
      grid([
        ['figure', 'unit', 'native', 'probe', 'rtcstats', 'probe ÷ native', 'rtcstats ÷ native'],
        ...o.figures.map((f) => [
          f.title,
          f.unit,
          fmt(f.summary.native?.median, 3),
          fmt(f.summary.probe?.median, 3),
          fmt(f.summary.rtcstats?.median, 3),
          ratio(f.ratio),
          ratio(f.ratioRtcstats),
        ]),
      ]),
    );
  }
  const d = result.detection;
  if (d && !d.error) {
    out.push(
      `Detection latency — page close event (1006) → abnormal-close incident committed in the worker's IndexedDB, ${d.storedMs.n} closes${d.missed ? `, ${d.missed} missed` : ''}`,
    );
    out.push(
      grid([
        ['', 'p50 ms', 'p95 ms', 'min ms', 'max ms'],
        ['close → incident committed', fmt(d.storedMs.median, 0), fmt(d.storedMs.p95, 0), fmt(d.storedMs.min, 0), fmt(d.storedMs.max, 0)],
        [
          'close → incident handed to IndexedDB',
          fmt(d.queuedMs.median, 0),
          fmt(d.queuedMs.p95, 0),
          fmt(d.queuedMs.min, 0),
          fmt(d.queuedMs.max, 0),
        ],
      ]),
    );
  }
  if (Array.isArray(result.recovery) && result.recovery.length) {
    const when = (r) => (r.canTakeCall ? `${(r.readyAfterMs / 1000).toFixed(1)} s` : `not recovered in ${r.deadlineMs / 1000} s`);
    out.push('Recovery time per lab fault — fault injected → ready for calls (and a call taken)');
    out.push(
      grid([
        ['fault', 'with extension', 'without extension', 'failures app saw (with / without)', 'reloads (with / without)'],
        ...result.recovery.map((r) => [
          r.scenario,
          when(r.withExtension),
          when(r.withoutExtension),
          `${r.withExtension.appFailures} / ${r.withoutExtension.appFailures}`,
          `${r.withExtension.reloaded ? 'yes' : 'no'} / ${r.withoutExtension.reloaded ? 'yes' : 'no'}`,
        ]),
      ]),
    );
  }
  const s = result.storm;
  if (s && !s.error) {
    out.push(
      `Refresh storm — ${s.tabs} tabs, 2 agents, publish storm (tokens revoked, sockets dropped, presence 429 Retry-After ${s.retryAfterSeconds} s)`,
    );
    out.push(
      grid([
        ['figure', 'value'],
        [
          'refresh-endpoint calls per identity',
          Object.entries(s.refreshCallsByUser)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ') || '0',
        ],
        ['401s the app saw / reloads', `${s.app401} / ${s.reloads}`],
        [
          'tabs ready again',
          `${s.tabsRecovered} of ${s.tabs}, median ${fmt(s.recoveryMs.median / 1000, 1)} s, max ${fmt(s.recoveryMs.max / 1000, 1)} s`,
        ],
        ['presence 429s, their spread', `${s.presence429}, ${s.presence429SpreadMs} ms`],
        ['presence retries, their spread', `${s.presenceRetries}, ${s.presenceRetrySpreadMs} ms`],
        [
          'retry after its 429, beyond Retry-After',
          `median ${fmt(s.retryBeyondRetryAfterMs.median, 0)} ms, min ${fmt(s.retryBeyondRetryAfterMs.min, 0)}, max ${fmt(s.retryBeyondRetryAfterMs.max, 0)}`,
        ],
      ]),
    );
  }
  const st = result.store;
  if (st && !st.error) {
    const rows = [['figure', 'value']];
    if (st.writeRate)
      rows.push([
        'observations stored per second (worker path)',
        `${fmt(st.writeRate.perSecond, 0)} /s (${st.writeRate.stored} of ${st.writeRate.observations} in ${fmt(st.writeRate.seconds, 2)} s)`,
      ]);
    if (st.firstRender) {
      const fr = st.firstRender;
      const span = `${fr.storedBefore.toLocaleString('en')} → ${fr.storedAfter.toLocaleString('en')} events stored`;
      rows.push([`popup first render, ${span}`, `${fmt(fr.popup.emptyMs, 0)} ms → ${fmt(fr.popup.fullMs, 0)} ms`]);
      rows.push([
        `diagnostics first render, ${span}`,
        fr.diagnostics.built ? `${fmt(fr.diagnostics.emptyMs, 0)} ms → ${fmt(fr.diagnostics.fullMs, 0)} ms` : 'not built',
      ]);
    }
    out.push('Event store');
    out.push(grid(rows));
  }
  if (Array.isArray(result.sizes) && result.sizes.length) {
    out.push('Sizes — built (already minified), re-minified (oxc), gzipped (level 9)');
    out.push(
      grid([
        ['file', 'role', 'built', 'minified', 'gzip'],
        ...result.sizes.map((z) => [z.file, z.role, kb(z.rawBytes), kb(z.minifiedBytes), kb(z.gzipBytes)]),
      ]),
    );
  }
  if (result.errors?.length) out.push(`BROKEN: ${result.errors.join('; ')}`);
  return out.join('\n\n');
}
