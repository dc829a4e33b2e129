/**
 * Rung 4 of the recovery ladder (docs/architecture.md §3 "Media recovery"), decided. The worker asks
 * after every change of a session (ticks included) and carries out the answer:
 *
 * ```text
 *   open permission-lost / track-ended
 *        │
 *        ├─ permission denied or reset ("blocked")
 *        │     ├─ restoring not allowed here ........................ grant-refused (not-allowed), once
 *        │     ├─ restored MAX_GRANTS_PER_HOUR times this hour ...... grant-refused (limited), once
 *        │     ├─ a grant failed, or the page is not a softphone page .. none (the view says why)
 *        │     ├─ granted, media.reacquireOnLoss on, not asked yet .. reacquire (the probe waits
 *        │     │                                                      for the permission itself)
 *        │     ├─ granted, still blocked GRANT_SETTLE_MS later ...... grant-ineffective, once
 *        │     └─ otherwise ......................................... grant
 *        │
 *        └─ permission granted (or unknown after a grant, or a track ended)
 *              └─ media.reacquireOnLoss on, no answer pending,
 *                 ≤ MAX_REACQUIRES, REACQUIRE_RETRY_MS apart ........ reacquire
 * ```
 *
 * The probe captures only once the permission is granted (it checks, and waits a moment
 * after a grant): a capture while it is `prompt` would put a prompt in front of the agent.
 * Whether the page is a softphone page at all, and whether restoring is allowed on its origin
 * (seen granted there before, or named by `media.grantMicrophone`: media-origin.ts
 * `microphoneRestoreRule`), are the worker's checks: the answer comes in as `mayRestore`.
 */
import type { Config } from '../policy/schema';
import type { Incident, RecoveryStep, SessionState } from '../session/types';

/** What rung 4 should do now for one tab. */
export type MediaRecoveryDecision =
  | { act: 'none' }
  /** Set the page origin's microphone content setting to allow. */
  | { act: 'grant' }
  /** Record why the setting is left as it is. */
  | { act: 'grant-refused'; reason: 'not-allowed' | 'limited' | 'embedded' }
  /** A grant reported ok did not unblock the page: something the extension cannot change decides. */
  | { act: 'grant-ineffective' }
  /** Send `reacquire-media` to the probe. */
  | { act: 'reacquire' };

/** Rolling window of {@link MAX_GRANTS_PER_HOUR}, ms. */
export const GRANT_WINDOW_MS = 3_600_000;
/**
 * Grants per origin per rolling hour. Product rule: something that blocks the microphone again
 * and again (the agent, another tool) is not fought forever.
 */
export const MAX_GRANTS_PER_HOUR = 4;
/**
 * After a grant, the page reports the permission change within milliseconds (measured: under
 * 200 ms on Chromium 156); still blocked after this long means the grant did not help, ms.
 */
export const GRANT_SETTLE_MS = 5000;
/** A reacquire unanswered for this long counts as lost, ms (the probe gives up after 8 s). */
export const REACQUIRE_ANSWER_MS = 12_000;
/** Reacquire attempts per incident, and the wait between two, ms. */
export const MAX_REACQUIRES = 3;
export const REACQUIRE_RETRY_MS = 10_000;

const NONE: MediaRecoveryDecision = { act: 'none' };

function openIncident(session: SessionState): Incident | undefined {
  const open = (kind: Incident['kind']) => session.incidents.find((i) => i.kind === kind && i.resolvedAt === undefined);
  return open('permission-lost') ?? open('track-ended');
}

const stepsOf = (incident: Incident, action: RecoveryStep['action']): RecoveryStep[] => incident.steps.filter((s) => s.action === action);

function decideGrant(args: {
  session: SessionState;
  incident: Incident;
  config: Config;
  now: number;
  recentGrants: readonly number[];
  mayRestore: boolean;
}): MediaRecoveryDecision {
  const { session, incident, config, now } = args;
  const blockedBy = session.media.micBlockedBy;
  // Embedded: the permission is the embedding page's (Chrome's permission delegation), not the
  // softphone origin's; the popup says where to allow it.
  if (session.embedded !== undefined) return blockedBy === 'embedded' ? NONE : { act: 'grant-refused', reason: 'embedded' };
  // The agent's choice (or `media.grantMicrophone: false`): never overridden.
  if (!args.mayRestore) return blockedBy === 'policy' ? NONE : { act: 'grant-refused', reason: 'not-allowed' };
  if (blockedBy === 'browser' || blockedBy === 'not-monitored' || blockedBy === 'embedded') return NONE;
  // A failed grant set `micBlockedBy` to `browser` above: a second try would fail the same way.
  const grants = stepsOf(incident, 'mic-grant');
  const last = grants[grants.length - 1];
  // Under way (or left pending by a worker that stopped mid-way: then once more).
  if (last?.outcome === 'pending' && now - last.at < GRANT_SETTLE_MS) return NONE;
  if (last?.outcome === 'ok') {
    const asked = stepsOf(incident, 'media-reacquire').some((s) => s.at >= last.at);
    if (config.media.reacquireOnLoss && !asked) return { act: 'reacquire' };
    return now - last.at >= GRANT_SETTLE_MS ? { act: 'grant-ineffective' } : NONE;
  }
  const inWindow = args.recentGrants.filter((t) => now - t < GRANT_WINDOW_MS).length;
  if (inWindow >= MAX_GRANTS_PER_HOUR) return blockedBy === 'limit' ? NONE : { act: 'grant-refused', reason: 'limited' };
  return { act: 'grant' };
}

function decideReacquire(incident: Incident, config: Config, now: number): MediaRecoveryDecision {
  if (!config.media.reacquireOnLoss) return NONE;
  const tries = stepsOf(incident, 'media-reacquire');
  const last = tries[tries.length - 1];
  if (!last) return { act: 'reacquire' };
  if (last.outcome === 'pending' && now - last.at < REACQUIRE_ANSWER_MS) return NONE;
  if (last.outcome === 'ok' || tries.length >= MAX_REACQUIRES || now - last.at < REACQUIRE_RETRY_MS) return NONE;
  return { act: 'reacquire' };
}

/**
 * The rung-4 decision for one tab (diagram in the module comment).
 * @param args.now epoch ms
 * @param args.recentGrants epoch ms of earlier grants for the tab's origin (any age; older
 *   than {@link GRANT_WINDOW_MS} are ignored)
 * @param args.mayRestore true when the microphone may be set back to allow on the tab's origin:
 *   it was seen granted there before it was lost, or configuration names the origin
 *   (src/recovery/media-origin.ts `microphoneRestoreRule`)
 */
export function decideMediaRecovery(args: {
  session: SessionState;
  config: Config;
  now: number;
  recentGrants: readonly number[];
  mayRestore: boolean;
}): MediaRecoveryDecision {
  const { session, config, now } = args;
  if (session.endedAt !== undefined) return NONE;
  const incident = openIncident(session);
  if (!incident) return NONE;
  const permission = session.media.micPermission;
  const grantedOk = stepsOf(incident, 'mic-grant').some((s) => s.outcome === 'ok');
  // Without a Permissions API answer, a grant that went through is the best sign there is.
  const blocked =
    permission === 'denied' || permission === 'prompt' || (permission === undefined && incident.kind === 'permission-lost' && !grantedOk);
  if (blocked) return decideGrant({ ...args, incident });
  return decideReacquire(incident, config, now);
}
