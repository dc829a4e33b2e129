/**
 * Recovery time per lab fault, with the extension and without: the demo's scenarios
 * (tests/demo/scenarios.mjs: fault, parameters, call in progress, deadline) and its summary of
 * a run (tests/demo/report.mjs `summarizeRun`), each on a fresh lab with one agent per
 * browser. Recovery time = fault injected → the softphone is ready for calls (presence
 * Available, media ready, mic enabled, signalling open) and then really takes a call; a run
 * that does not get there by the deadline is "not recovered in N s".
 * The agents are driven as in the demo (tests/demo/agents.mjs), readiness polled every 100 ms.
 */
import { startLab } from '../lab/server.mjs';
import { summarizeRun } from '../demo/report.mjs';
import { observeRecovery, postJson, startAgent, startCall, status, takeCall } from '../demo/agents.mjs';
import { pickScenarios } from '../demo/scenarios.mjs';

const MEDIA_TOKEN_401 = 'GET /api/v2/communications/webRTC 401';

/**
 * @param {{ scenarios?: string, deadlineS?: number, log: (line: string) => void }} opts
 *   `scenarios`: comma-separated names (all when absent); `deadlineS` overrides every
 *   scenario's deadline (the short smoke run)
 * @returns {Promise<Array<{ scenario: string, fault: string, deadlineS: number,
 *   withExtension: ReturnType<typeof summarizeRun>, withoutExtension: ReturnType<typeof summarizeRun> }>>}
 * @throws {Error} for an unknown scenario or an agent that never became ready before the fault
 */
export async function measureRecovery({ scenarios, deadlineS, log }) {
  const out = [];
  for (const scenario of pickScenarios(scenarios)) {
    const lab = await startLab({ port: 0 });
    const agents = [];
    try {
      agents.push(
        await startAgent(lab, { withExtension: false, user: 'agent-2' }),
        await startAgent(lab, { withExtension: true, user: 'agent-1' }),
      );
      const before = {};
      for (const a of agents) {
        if (!(await takeCall(lab, a))) throw new Error(`baseline call failed for ${a.user}`);
        before[a.user] = await status(a.page);
      }
      if (scenario.callActiveAtFault) for (const a of agents) a.callAtFault = await startCall(lab, a);
      const statsBefore = await (await fetch(`${lab.url}/lab/stats`)).json();
      const deadlineMs = (deadlineS ?? scenario.deadlineS ?? 45) * 1000;
      const faultAt = Date.now();
      await postJson(`${lab.url}/lab/fault/${scenario.fault}`, scenario.params);
      const results = await Promise.all(agents.map((a) => observeRecovery(lab, a, faultAt, deadlineMs, 100)));
      const statsAfter = await (await fetch(`${lab.url}/lab/stats`)).json();
      const [without, withExt] = agents.map((a, i) =>
        summarizeRun({
          label: a.withExtension ? 'with extension' : 'without extension',
          before: before[a.user],
          after: results[i].final,
          readyAfterMs: results[i].readyAfterMs,
          tookCall: results[i].tookCall,
          deadlineMs,
          refreshCalls: (statsAfter.refreshCallsByUser?.[a.user] ?? 0) - (statsBefore.refreshCallsByUser?.[a.user] ?? 0),
          mediaToken401Key: MEDIA_TOKEN_401,
        }),
      );
      const fmt = (r) => (r.canTakeCall ? `${(r.readyAfterMs / 1000).toFixed(1)} s` : `not recovered in ${deadlineMs / 1000} s`);
      log(`  recovery ${scenario.name}: with ${fmt(withExt)}, without ${fmt(without)}`);
      out.push({
        scenario: scenario.name,
        fault: scenario.fault,
        deadlineS: deadlineMs / 1000,
        withExtension: withExt,
        withoutExtension: without,
      });
    } finally {
      for (const a of agents) await a.context.close().catch(() => undefined);
      await lab.close();
    }
  }
  return out;
}
