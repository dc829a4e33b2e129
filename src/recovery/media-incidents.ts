/**
 * The microphone incidents and rung 4's steps on them (docs/architecture.md §3 "Media recovery"). The
 * reducer's incident rules hand every media event here; health asks {@link microphoneHealth}.
 *
 * | event                                   | effect |
 * |-----------------------------------------|--------|
 * | `media-permission` denied               | opens (or folds into) permission-lost "Microphone permission denied" |
 * | `media-permission` prompt after granted | opens permission-lost "Microphone permission reset" (the site setting was reset: Chromium ends live capture tracks as on a block) |
 * | `media-permission` granted              | a passive step when it came back without rung 4 (no grant done or under way); resolves nothing: a capture must confirm |
 * | `gum` NotAllowedError                   | opens (or folds into) permission-lost |
 * | `gum` ok with audio                     | resolves track-ended, and permission-lost unless the permission is denied; while rung 4's re-prime is pending only a passive step (its answer resolves) |
 * | `track-ended` of an audio track         | nothing while permission-lost is open (the revocation ended it); else opens track-ended |
 * | `mic-grant` (worker)                    | `mic-grant` step on the open permission-lost, else on track-ended: `pending` while the worker changes the setting, then settled |
 * | `media-reacquire` (worker)              | pending `media-reacquire` step on each open microphone incident; an older pending one is settled failed |
 * | `media-reacquired` (probe)              | settles that step; ok also resolves the incidents unless the permission is denied |
 *
 * Chromium's behaviour these rules rest on (measured on Chromium 156): blocking or resetting
 * the site's microphone setting fires `PermissionStatus` `change` (`denied` or `prompt`)
 * first, then `ended` on every live capture track; allowing it again fires `change`
 * (`granted`) and nothing else — no `devicechange`, and ended tracks stay ended.
 */
import type { PageObservation } from '../protocol/page';
import type { Incident, IncidentKind, RecoveryStep, SessionState, WorkerEvent } from '../session/types';
import { findOpen, lastStep, raiseIncident, replaceIncident, resolved, withSettledStep, withStep } from '../session/incidents';
import { REACQUIRE_ANSWER_MS } from './media-recovery';

/** DOMException names of a refused `getUserMedia` (W3C Media Capture; the second is Chrome's pre-2017 name). */
export const PERMISSION_ERRORS: ReadonlySet<string> = new Set(['NotAllowedError', 'PermissionDeniedError']);

/** The incident kinds rung 4 works on. */
export const MICROPHONE_KINDS: readonly IncidentKind[] = ['permission-lost', 'track-ended'];

/** The events handled here. */
export type MediaEvent =
  | Extract<PageObservation, { type: 'media-permission' | 'gum' | 'track-ended' | 'media-reacquired' }>
  | Extract<WorkerEvent, { type: 'mic-grant' | 'media-reacquire' }>;

const MAX_DETAIL = 120;

const clip = (text: string): string => (text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text);

function passive(at: number, detail: string): RecoveryStep {
  return { at, action: 'none', outcome: 'ok', detail };
}

function update(state: SessionState, kind: IncidentKind, fn: (i: Incident) => Incident): SessionState {
  const open = findOpen(state.incidents, kind);
  return open ? replaceIncident(state, fn(open)) : state;
}

function updateAll(state: SessionState, fn: (i: Incident) => Incident): SessionState {
  let next = state;
  for (const kind of MICROPHONE_KINDS) next = update(next, kind, fn);
  return next;
}

/** The open microphone incident rung 4 reports on: permission-lost first. */
function primary(state: SessionState): IncidentKind | undefined {
  return MICROPHONE_KINDS.find((kind) => findOpen(state.incidents, kind) !== undefined);
}

/** Details of the `mic-grant` steps; `failed` carries the worker's own detail. */
const GRANT_DETAIL = {
  pending: 'Setting the microphone of this softphone back to allow.',
  ok: 'The microphone setting of this softphone is back to allow.',
  'not-allowed':
    'Not changed: the microphone was not seen allowed on this site before it was blocked, and configuration (media.grantMicrophone) does not name the site, so the block is left as the agent chose.',
  'not-monitored': 'Not changed: this page is not one of the configured softphone pages (softphoneUrlPatterns).',
  limited: 'Not changed again: the microphone was unblocked too often within the hour.',
  embedded:
    "Not changed: this softphone is embedded in another site's page, and an embedded page's microphone follows that page's site setting.",
} as const;

function onGrant(state: SessionState, event: Extract<WorkerEvent, { type: 'mic-grant' }>): SessionState {
  const kind = primary(state);
  if (!kind) return state;
  const { at } = event;
  const detail = event.outcome === 'failed' ? clip(event.detail ?? 'The browser refused the change.') : GRANT_DETAIL[event.outcome];
  if (event.outcome === 'pending') return update(state, kind, (i) => withStep(i, { at, action: 'mic-grant', outcome: 'pending', detail }));
  const outcome = event.outcome === 'ok' ? 'ok' : 'failed';
  return update(state, kind, (i) => {
    const last = lastStep(i);
    if (last?.action === 'mic-grant' && last.outcome === outcome && last.detail === detail) return i;
    return withSettledStep(i, 'mic-grant', outcome, at, detail);
  });
}

function onReacquired(state: SessionState, event: Extract<PageObservation, { type: 'media-reacquired' }>): SessionState {
  const { at } = event;
  if (!event.ok) {
    const detail = `The page could not capture the microphone (${event.errorName ?? 'unknown error'}).`;
    return updateAll(state, (i) => withSettledStep(i, 'media-reacquire', 'failed', at, clip(detail)));
  }
  const inputs = event.audioInputs === 1 ? '1 microphone' : `${event.audioInputs} microphones`;
  const detail = `The page captures the microphone again; ${inputs} listed.`;
  const settled = updateAll(state, (i) => withSettledStep(i, 'media-reacquire', 'ok', at, detail));
  if (state.media.micPermission === 'denied') return settled;
  return updateAll(settled, (i) => ({ ...i, resolvedAt: at }));
}

function onPermission(
  prev: SessionState,
  state: SessionState,
  event: Extract<PageObservation, { type: 'media-permission' }>,
): SessionState {
  const { at } = event;
  if (event.state === 'denied') {
    return raiseIncident(state, { kind: 'permission-lost', summary: 'Microphone permission denied', detail: { reason: 'denied' } }, at);
  }
  if (event.state === 'prompt') {
    if (prev.media.micPermission !== 'granted') return state;
    return raiseIncident(
      state,
      { kind: 'permission-lost', summary: 'Microphone permission reset (the browser would ask again)', detail: { reason: 'prompt' } },
      at,
    );
  }
  return update(state, 'permission-lost', (i) =>
    i.steps.some((s) => s.action === 'mic-grant' && s.outcome !== 'failed')
      ? i
      : withStep(i, passive(at, 'Microphone permission granted again; waiting for a capture to confirm.')),
  );
}

function onGum(state: SessionState, event: Extract<PageObservation, { type: 'gum' }>): SessionState {
  const { at } = event;
  if (!event.ok) {
    if (event.errorName === undefined || !PERMISSION_ERRORS.has(event.errorName)) return state;
    return raiseIncident(
      state,
      { kind: 'permission-lost', summary: `Microphone access refused (${event.errorName})`, detail: { reason: event.errorName } },
      at,
    );
  }
  if (!event.audio) return state;
  const step = passive(at, 'The microphone was captured again.');
  const reprimePending = (i: Incident): boolean =>
    i.steps.some((s) => s.action === 'media-reacquire' && s.outcome === 'pending' && at - s.at < REACQUIRE_ANSWER_MS);
  const settle = (i: Incident): Incident => (reprimePending(i) ? withStep(i, step) : resolved(i, at, step));
  const next = update(state, 'track-ended', settle);
  return state.media.micPermission === 'denied' ? next : update(next, 'permission-lost', settle);
}

/**
 * Applies the microphone rules (table in the module comment) to one event.
 * @param prev the session before the event (its media view is the "before" picture)
 * @param state the session with the event already applied to the views
 * @returns `state` itself when nothing changed
 */
export function applyMediaRules(prev: SessionState, state: SessionState, event: MediaEvent): SessionState {
  const { at } = event;
  switch (event.type) {
    case 'media-permission':
      return onPermission(prev, state, event);
    case 'gum':
      return onGum(state, event);
    case 'track-ended':
      if (event.kind !== 'audio') return state;
      if (findOpen(state.incidents, 'permission-lost')) return state;
      return raiseIncident(state, { kind: 'track-ended', summary: 'Microphone track ended', detail: {} }, at);
    case 'mic-grant':
      return onGrant(state, event);
    case 'media-reacquire':
      return updateAll(state, (i) => {
        const unanswered = i.steps.some((s) => s.action === 'media-reacquire' && s.outcome === 'pending');
        const settled = unanswered ? withSettledStep(i, 'media-reacquire', 'failed', at, 'No answer from the page.') : i;
        return withStep(settled, {
          at,
          action: 'media-reacquire',
          outcome: 'pending',
          detail: 'Asked the page to capture the microphone once and list the devices again.',
        });
      });
    case 'media-reacquired':
      return onReacquired(state, event);
  }
}

/**
 * What the microphone incidents say about health, or undefined when none is open.
 * - permission-lost while the permission is not granted: `down`, and the sentence says why
 *   it stays blocked when rung 4 may not or could not restore it (`media.micBlockedBy`);
 * - permission-lost once granted again: `recovering` until a capture confirms;
 * - track-ended: `degraded`.
 */
export function microphoneHealth(state: SessionState): { level: 'down' | 'recovering' | 'degraded'; reason: string } | undefined {
  if (findOpen(state.incidents, 'permission-lost')) {
    if (state.media.micPermission === 'granted') {
      return { level: 'recovering', reason: 'Microphone allowed again; checking that it captures.' };
    }
    switch (state.media.micBlockedBy) {
      case 'policy':
        return {
          level: 'down',
          reason:
            "Microphone blocked in this browser's site settings. Softphone Guard leaves that choice alone (media.grantMicrophone does not name this site). To allow it: click the icon left of the address bar and switch Microphone on, or choose Site settings → Microphone → Allow.",
        };
      case 'browser':
        return {
          level: 'down',
          reason: 'Microphone blocked for this softphone, and the browser kept it blocked: allow the microphone in the site settings.',
        };
      case 'not-monitored':
        return {
          level: 'down',
          reason: 'Microphone blocked. This page is not a configured softphone page, so Softphone Guard leaves its setting alone.',
        };
      case 'limit':
        return {
          level: 'down',
          reason: 'Microphone blocked again for this softphone; it was unblocked too often within the hour, so it is left blocked.',
        };
      case 'embedded':
        return {
          level: 'down',
          reason:
            'Microphone blocked. This softphone is embedded in another page, whose site settings decide its microphone: allow the microphone for the embedding page.',
        };
      default:
        return { level: 'down', reason: 'Microphone access is blocked; trying to restore it.' };
    }
  }
  if (findOpen(state.incidents, 'track-ended')) {
    return { level: 'degraded', reason: 'Microphone track ended; waiting for the softphone to capture it again.' };
  }
  return undefined;
}
