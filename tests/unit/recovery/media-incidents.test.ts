/**
 * The microphone incidents through the whole reducer, with rung 4's steps: what opens,
 * folds, steps and resolves them, and what the agent is told meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { PageObservationSchema } from '../../../src/protocol/page';
import type { PageObservation } from '../../../src/protocol/page';
import { REACQUIRE_ANSWER_MS } from '../../../src/recovery/media-recovery';
import type { SessionEvent } from '../../../src/session/reducer';
import type { WorkerEvent } from '../../../src/session/types';
import { ev, run, s } from '../session/fixtures';

const grant = (at: number, outcome: Extract<WorkerEvent, { type: 'mic-grant' }>['outcome'], detail?: string): WorkerEvent => ({
  type: 'mic-grant',
  at,
  outcome,
  ...(detail === undefined ? {} : { detail }),
});
const asked = (at: number): WorkerEvent => ({ type: 'media-reacquire', at });
const answered = (at: number, ok: boolean, audioInputs = 2, errorName?: string): PageObservation =>
  PageObservationSchema.parse({ type: 'media-reacquired', at, ok, audioInputs, ...(errorName ? { errorName } : {}) });

const granted = ev.permission(s(0), 'granted');

describe('permission-lost with rung 4', () => {
  it('block → grant → re-prime: down, recovering, healthy; the steps say what was done', () => {
    const r = run([
      granted,
      ev.permission(s(10), 'denied'),
      ev.trackEnded(s(10)),
      grant(s(10) + 5, 'ok'),
      asked(s(10) + 5),
      ev.permission(s(10) + 20, 'granted'),
      answered(s(10) + 150, true, 3),
    ]);
    expect(r.healths).toEqual(['healthy', 'down', 'down', 'down', 'down', 'recovering', 'healthy']);
    expect(r.state.incidents).toHaveLength(1);
    expect(r.state.incidents[0]).toMatchObject({
      kind: 'permission-lost',
      summary: 'Microphone permission denied',
      detail: { count: 1 },
      resolvedAt: s(10) + 150,
      steps: [
        { at: s(10) + 5, action: 'mic-grant', outcome: 'ok', detail: 'The microphone setting of this softphone is back to allow.' },
        {
          at: s(10) + 5,
          action: 'media-reacquire',
          outcome: 'ok',
          detail: 'The page captures the microphone again; 3 microphones listed.',
        },
      ],
    });
  });

  it('a grant under way is one step, settled in place; the page hearing of it first adds nothing', () => {
    const r = run([
      granted,
      ev.permission(s(10), 'denied'),
      grant(s(11), 'pending'),
      ev.permission(s(11) + 10, 'granted'),
      grant(s(11) + 20, 'ok'),
    ]);
    expect(r.state.incidents[0]?.steps).toEqual([
      { at: s(11), action: 'mic-grant', outcome: 'ok', detail: 'The microphone setting of this softphone is back to allow.' },
    ]);
    expect(r.healths).toEqual(['healthy', 'down', 'down', 'recovering', 'recovering']);
  });

  it('waits for its own re-prime when the softphone captures first, then resolves', () => {
    const r = run([
      granted,
      ev.permission(s(10), 'denied'),
      grant(s(11), 'ok'),
      asked(s(11)),
      ev.permission(s(11), 'granted'),
      ev.gum(s(11) + 80, true),
    ]);
    expect(r.state.incidents[0]?.resolvedAt).toBeUndefined();
    expect(r.state.health).toBe('recovering');
    const done = run([answered(s(11) + 120, true, 1)], undefined, r.state);
    expect(done.state.incidents[0]?.resolvedAt).toBe(s(11) + 120);
    expect(done.state.incidents[0]?.steps.map((x) => [x.action, x.outcome, x.detail])).toEqual([
      ['mic-grant', 'ok', 'The microphone setting of this softphone is back to allow.'],
      ['media-reacquire', 'ok', 'The page captures the microphone again; 1 microphone listed.'],
      ['none', 'ok', 'The microphone was captured again.'],
    ]);
    expect(done.state.health).toBe('healthy');
  });

  it('lets the softphone’s capture resolve once a re-prime has gone unanswered too long', () => {
    const r = run([granted, ev.permission(s(10), 'denied'), grant(s(11), 'ok'), asked(s(11)), ev.permission(s(11), 'granted')]);
    expect(run([ev.gum(s(11) + REACQUIRE_ANSWER_MS - 1, true)], undefined, r.state).state.incidents[0]?.resolvedAt).toBeUndefined();
    expect(run([ev.gum(s(11) + REACQUIRE_ANSWER_MS, true)], undefined, r.state).state.incidents[0]?.resolvedAt).toBe(
      s(11) + REACQUIRE_ANSWER_MS,
    );
  });

  it('does not resolve on the permission alone, nor on a capture while still denied', () => {
    const back = run([granted, ev.permission(s(10), 'denied'), ev.permission(s(20), 'granted')]);
    expect(back.state.incidents[0]?.resolvedAt).toBeUndefined();
    expect(back.state.healthReason).toBe('Microphone allowed again; checking that it captures.');
    expect(back.state.incidents[0]?.steps).toEqual([
      { at: s(20), action: 'none', outcome: 'ok', detail: 'Microphone permission granted again; waiting for a capture to confirm.' },
    ]);
    const stillDenied = run([granted, ev.permission(s(10), 'denied'), answered(s(11), true), ev.gum(s(12), true)]);
    expect(stillDenied.state.incidents[0]?.resolvedAt).toBeUndefined();
    expect(stillDenied.state.health).toBe('down');
  });

  it('opens on a reset to prompt after a grant, not on a first prompt', () => {
    const reset = run([granted, ev.permission(s(10), 'prompt')]);
    expect(reset.state.incidents[0]).toMatchObject({
      kind: 'permission-lost',
      summary: 'Microphone permission reset (the browser would ask again)',
    });
    expect(reset.state.health).toBe('down');
    expect(run([ev.permission(s(0), 'prompt')]).state.incidents).toEqual([]);
  });

  it('a failed re-prime keeps the incident open and shows the error', () => {
    const r = run([
      granted,
      ev.permission(s(10), 'denied'),
      grant(s(11), 'ok'),
      asked(s(11)),
      answered(s(14), false, 1, 'NotAllowedError'),
    ]);
    expect(r.state.incidents[0]?.resolvedAt).toBeUndefined();
    expect(r.state.incidents[0]?.steps[1]).toMatchObject({
      action: 'media-reacquire',
      outcome: 'failed',
      detail: 'The page could not capture the microphone (NotAllowedError).',
    });
    expect(r.state.media.lastGumError).toBe('NotAllowedError');
  });

  it('settles an unanswered re-prime as failed when the next one starts', () => {
    const r = run([granted, ev.trackEnded(s(10)), asked(s(10)), asked(s(30))]);
    expect(r.state.incidents[0]?.steps.map((x) => [x.action, x.outcome])).toEqual([
      ['media-reacquire', 'failed'],
      ['media-reacquire', 'pending'],
    ]);
    expect(r.state.incidents[0]?.steps[0]?.detail).toBe('No answer from the page.');
  });
});

describe('why the microphone stays blocked', () => {
  const blocked: SessionEvent[] = [granted, ev.permission(s(10), 'denied')];

  it.each([
    [
      'not-allowed',
      "Microphone blocked in this browser's site settings. Softphone Guard leaves that choice alone (media.grantMicrophone does not name this site). To allow it: click the icon left of the address bar and switch Microphone on, or choose Site settings → Microphone → Allow.",
      'policy',
    ],
    [
      'failed',
      'Microphone blocked for this softphone, and the browser kept it blocked: allow the microphone in the site settings.',
      'browser',
    ],
    [
      'not-monitored',
      'Microphone blocked. This page is not a configured softphone page, so Softphone Guard leaves its setting alone.',
      'not-monitored',
    ],
    ['limited', 'Microphone blocked again for this softphone; it was unblocked too often within the hour, so it is left blocked.', 'limit'],
  ] as const)('%s: the sentence says why, the step says what', (outcome, reason, blockedBy) => {
    const r = run([...blocked, grant(s(11), outcome, outcome === 'failed' ? 'The browser refused the change: nope' : undefined)]);
    expect(r.state.health).toBe('down');
    expect(r.state.healthReason).toBe(reason);
    expect(r.state.media.micBlockedBy).toBe(blockedBy);
    expect(r.state.incidents[0]?.steps).toMatchObject([{ action: 'mic-grant', outcome: 'failed' }]);
  });

  it('records the same refusal once', () => {
    const r = run([...blocked, grant(s(11), 'not-allowed'), grant(s(13), 'not-allowed')]);
    expect(r.state.incidents[0]?.steps).toHaveLength(1);
  });

  it('forgets why once the permission is granted again', () => {
    const r = run([...blocked, grant(s(11), 'not-allowed'), ev.permission(s(20), 'granted')]);
    expect(r.state.media.micBlockedBy).toBeUndefined();
    expect(r.state.health).toBe('recovering');
  });
});

describe('track-ended with rung 4', () => {
  it('device gone, permission intact: re-prime resolves it', () => {
    const r = run([granted, ev.trackEnded(s(10)), asked(s(10)), answered(s(11), true, 1)]);
    expect(r.healths).toEqual(['healthy', 'degraded', 'degraded', 'healthy']);
    expect(r.state.incidents[0]).toMatchObject({
      kind: 'track-ended',
      resolvedAt: s(11),
      steps: [{ action: 'media-reacquire', outcome: 'ok' }],
    });
  });

  it('is part of an open permission loss rather than an incident of its own', () => {
    const r = run([granted, ev.permission(s(10), 'denied'), ev.trackEnded(s(10))]);
    expect(r.state.incidents.map((i) => i.kind)).toEqual(['permission-lost']);
  });

  it('ignores rung-4 events with nothing open', () => {
    const r = run([granted, grant(s(1), 'ok'), asked(s(1)), answered(s(2), true)]);
    expect(r.state.incidents).toEqual([]);
    expect(r.state.health).toBe('healthy');
  });
});
