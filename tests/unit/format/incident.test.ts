import { describe, expect, it } from 'vitest';
import { describeStep, incidentView, newestFirst } from '../../../src/format/incident';
import { FORMAT_STRINGS as t } from '../../../extension/popup/strings';
import { NOW, incident } from './fixtures';

describe('describeStep', () => {
  it('says what was done and how it went', () => {
    expect(describeStep({ at: 0, action: 'token-refresh', outcome: 'ok' }, t)).toBe('Fetched a fresh token — ok');
    expect(describeStep({ at: 0, action: 'request-retry', outcome: 'ok' }, t)).toBe('Retried the request — page saw success');
    expect(describeStep({ at: 0, action: 'token-refresh', outcome: 'pending' }, t)).toBe('Fetched a fresh token — in progress');
    expect(describeStep({ at: 0, action: 'request-retry', outcome: 'failed' }, t)).toBe('Retried the request — still failing');
    expect(describeStep({ at: 0, action: 'none', outcome: 'ok' }, t)).toBe('No action needed — cleared on its own');
    expect(describeStep({ at: 0, action: 'app-reconnected', outcome: 'ok' }, t)).toBe('The softphone reconnected by itself — ok');
  });
  it('names rung 3’s close of a silent socket', () => {
    expect(describeStep({ at: 0, action: 'stall-close', outcome: 'pending' }, t)).toBe(
      'Closed the silent socket so the softphone reconnects — in progress',
    );
    expect(describeStep({ at: 0, action: 'stall-close', outcome: 'ok' }, t)).toBe(
      'Closed the silent socket so the softphone reconnects — done',
    );
    expect(describeStep({ at: 0, action: 'stall-close', outcome: 'failed' }, t)).toBe(
      'Closed the silent socket so the softphone reconnects — not done',
    );
  });
  it('labels a silent-socket incident whose summary is empty', () => {
    expect(incidentView(incident(1, 1000, { kind: 'signalling-stalled', summary: '' }), NOW, t).summary).toBe('Signalling socket silent');
  });
  it('appends the detail when there is one', () => {
    expect(describeStep({ at: 0, action: 'token-refresh', outcome: 'failed', detail: 'HTTP 500' }, t)).toBe(
      'Fetched a fresh token — failed · HTTP 500',
    );
  });
});

describe('incidentView', () => {
  it('shows a resolved incident with how long it took and the steps with their offsets', () => {
    const view = incidentView(
      incident(1, 120_000, {
        summary: 'Media token request rejected (401)',
        resolvedAt: NOW - 116_000,
        steps: [
          { at: NOW - 119_800, action: 'token-refresh', outcome: 'ok' },
          { at: NOW - 118_500, action: 'request-retry', outcome: 'ok' },
        ],
      }),
      NOW,
      t,
    );
    expect(view).toEqual({
      id: '7:1',
      summary: 'Media token request rejected (401)',
      at: NOW - 120_000,
      when: '2 min ago',
      status: 'resolved',
      statusLabel: 'Resolved',
      statusText: 'Resolved after 4 s',
      steps: [
        { text: 'Fetched a fresh token — ok', outcome: 'ok', after: 'after 200 ms', at: NOW - 119_800 },
        { text: 'Retried the request — page saw success', outcome: 'ok', after: 'after 1 s', at: NOW - 118_500 },
      ],
    });
  });

  it('keeps a step detail apart from the sentence', () => {
    const view = incidentView(
      incident(4, 5_000, { steps: [{ at: NOW - 4_000, action: 'token-refresh', outcome: 'ok', detail: 'Fresh token obtained.' }] }),
      NOW,
      t,
    );
    expect(view.steps[0]).toMatchObject({ text: 'Fetched a fresh token — ok', detail: 'Fresh token obtained.' });
  });

  it('shows an open incident with how long it has been open, and repeats', () => {
    const view = incidentView(incident(2, 12_500, { detail: { count: 3 } }), NOW, t);
    expect(view.status).toBe('open');
    expect(view.statusLabel).toBe('Open');
    expect(view.statusText).toBe('Open for 12 s');
    expect(view.repeated).toBe('Seen 3 times');
  });

  it('falls back to the kind when the summary is empty', () => {
    expect(incidentView(incident(3, 1000, { kind: 'abnormal-close', summary: '' }), NOW, t).summary).toBe('WebSocket closed abnormally');
  });
});

describe('newestFirst', () => {
  it('sorts by opening time, newest first, without mutating', () => {
    const input = [incident(1, 5000), incident(2, 1000), incident(3, 9000)];
    expect(newestFirst(input).map((i) => i.id)).toEqual(['7:2', '7:1', '7:3']);
    expect(input.map((i) => i.id)).toEqual(['7:1', '7:2', '7:3']);
  });
});
