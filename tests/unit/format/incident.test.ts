import { describe, expect, it } from 'vitest';
import { describeStep, incidentView, newestFirst } from '../../../src/format/incident';
import { FORMAT_STRINGS as t } from '../../../extension/popup/strings';
import { NOW, incident } from './fixtures';
import { readFileSync } from 'node:fs';
import de from '../../../public/_locales/de/messages.json';
import { formatStringsFrom } from '../../../src/format/catalogue-strings';
import { catalogueTranslator, type Catalogue } from '../../../src/format/translate';
import { cannotRefresh, profileConfig } from '../../../src/policy/profiles';
import { resolveConfig } from '../../../src/policy/resolve';

const readPolicy = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../docs/policies/${name}.json`, import.meta.url), 'utf8'));

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

describe('incidentView where the extension cannot fetch a token', () => {
  const GERMAN = formatStringsFrom(catalogueTranslator(de as Catalogue));

  it('says why under an unauthorized incident, per platform, in English and German', () => {
    const unauthorized = incident(5, 3_000, { kind: 'unauthorized' });
    expect(incidentView(unauthorized, NOW, t, 'twilio-flex').note).toBe(
      'On Twilio the token comes from your own backend, so Softphone Guard cannot fetch one: it reloads the softphone when no call is active.',
    );
    expect(incidentView(unauthorized, NOW, GERMAN, 'twilio-flex').note).toMatch(/^Bei Twilio kommt das Token von Ihrem eigenen Backend/);
    expect(incidentView(unauthorized, NOW, t, 'amazon-connect').note).toMatch(/Amazon Connect CCP fetches its own token/);
    expect(incidentView(unauthorized, NOW, t, 'genesys-cloud').note).toMatch(/OAuth client/);
    expect(incidentView(unauthorized, NOW, t, 'custom').note).toMatch(/reload-when-idle/);
  });

  it('says it under any incident the safe reload answered, and nowhere else', () => {
    const stalledReload = incident(6, 9_000, {
      kind: 'signalling-stalled',
      steps: [{ at: NOW - 2_000, action: 'safe-reload', outcome: 'pending', detail: 'Not reloading: a call is active.' }],
    });
    expect(incidentView(stalledReload, NOW, t, 'twilio-flex').note).toMatch(/^On Twilio/);
    const closed = incident(7, 9_000, { kind: 'abnormal-close', steps: [{ at: NOW - 8_000, action: 'app-reconnected', outcome: 'ok' }] });
    expect(incidentView(closed, NOW, t, 'twilio-flex').note).toBeUndefined();
  });

  it('says nothing where a token can be fetched', () => {
    expect(incidentView(incident(8, 3_000, { kind: 'unauthorized' }), NOW, t).note).toBeUndefined();
  });

  it('is decided from the configuration in force: only the reload-when-idle strategy cannot fetch a token', () => {
    expect(cannotRefresh(profileConfig('twilio-flex'))).toBe('twilio-flex');
    expect(cannotRefresh(profileConfig('custom'))).toBeUndefined();
    const genesys = resolveConfig({ managed: readPolicy('genesys-cloud'), user: undefined }).config;
    expect(cannotRefresh(genesys)).toBeUndefined();
    expect(cannotRefresh(profileConfig('genesys-cloud'))).toBe('genesys-cloud');
  });
});
