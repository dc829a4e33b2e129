import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELD_KINDS, SECTIONS, fieldId, parseFieldText, valueToDisplay, valueToText } from '../../../src/format/options-fields';
import { candidateUserConfig, draftError, initialDrafts, isIncluded, optionsView, policyValues } from '../../../src/format/options-model';
import type { FieldView, OptionsView } from '../../../src/format/options-model';
import { CONFIG_KEYS } from '../../../src/policy/resolve';
import type { ConfigKey } from '../../../src/policy/resolve';
import { DEFAULT_CONFIG } from '../../../src/policy/schema';
import { getLeaf } from '../../../src/policy/leaf-path';
import { PROFILE_LIMITS } from '../../../src/policy/profiles';
import { MODEL_STRINGS as t } from '../../../extension/options/strings';
import { answerFor } from './options-fixtures';

const field = (view: OptionsView, key: ConfigKey): FieldView => {
  const f = view.sections.flatMap((s) => s.fields).find((x) => x.key === key);
  if (!f) throw new Error(`no field ${key}`);
  return f;
};

describe('options fields', () => {
  it('shows every setting exactly once, in sections', () => {
    const keys = SECTIONS.flatMap((s) => s.keys);
    expect([...keys].sort()).toEqual([...CONFIG_KEYS].sort());
    expect(new Set(keys).size).toBe(CONFIG_KEYS.length);
    for (const s of SECTIONS) expect(s.keys.length, s.id).toBeGreaterThan(0);
    for (const key of CONFIG_KEYS) {
      expect(t.fields[key].label, key).not.toBe('');
      expect(t.fields[key].help, key).not.toBe('');
    }
  });

  it('gives unique DOM ids', () => {
    const ids = CONFIG_KEYS.map(fieldId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^field-[A-Za-z0-9_-]+$/);
  });

  it('turns every default into editor text that parses back to it', () => {
    for (const key of CONFIG_KEYS) {
      const value = getLeaf(DEFAULT_CONFIG, key);
      const r = parseFieldText(key, valueToText(FIELD_KINDS[key], value), t);
      expect(r, key).toEqual({ ok: true, value });
    }
  });

  it.each([
    ['watchdog.reconnectGraceMs', 'abc', 'Enter a whole number.'],
    ['watchdog.reconnectGraceMs', '1.5', 'Enter a whole number.'],
    ['watchdog.reconnectGraceMs', '-5', /too small|>=\s*0/i],
    ['watchdog.reconnectGraceMs', '99999999', /at most 3600000 ms/],
    ['retry.statuses', '408, x', '“x” is not a whole number.'],
    ['retry.statuses', '200', /200 is not an error status/],
    ['riskWindows', '[{', /^Not valid JSON/],
    [
      'riskWindows',
      '[{"days":["Mon"],"start":"06:00","timeZone":"Europe/Atlantis","durationMinutes":30,"refreshAheadMinutes":5}]',
      /unknown IANA time zone "Europe\/Atlantis"/,
    ],
    ['tokenRefresh.strategy', 'magic', 'Choose one of: cookie-endpoint, oauth-silent, reload-when-idle, off.'],
    ['tokenRefresh.refreshUrl', 'not a url', /path starting with/],
    ['softphoneUrlPatterns', 'https://*.ok.com/*\nnot-a-pattern', /item 2/],
    ['protectedRequestPatterns', '/api/*', /never matches/],
  ] as const)('refuses %s = %j', (key, text, message) => {
    const r = parseFieldText(key, text, t);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('reads lists leniently: blank lines, spaces and commas', () => {
    expect(parseFieldText('softphoneUrlPatterns', ' https://a.example.com/*\n\n https://b.example.com/* \n', t)).toEqual({
      ok: true,
      value: ['https://a.example.com/*', 'https://b.example.com/*'],
    });
    expect(parseFieldText('retry.statuses', '408 429,503', t)).toEqual({ ok: true, value: [408, 429, 503] });
    expect(parseFieldText('retry.statuses', '', t)).toEqual({ ok: true, value: [] });
    expect(parseFieldText('media.reacquireOnLoss', 'false', t)).toEqual({ ok: true, value: false });
    expect(parseFieldText('media.grantMicrophone', '["https://apps.example.com"]', t)).toEqual({
      ok: true,
      value: ['https://apps.example.com'],
    });
    expect(parseFieldText('media.grantMicrophone', 'true', t)).toEqual({ ok: true, value: true });
    expect(parseFieldText('media.grantMicrophone', '["https://apps.example.com/x"]', t)).toMatchObject({ ok: false });
  });

  it('displays values for reading, never a secret', () => {
    expect(valueToDisplay('media.reacquireOnLoss', true, t)).toBe('Yes');
    expect(valueToDisplay('tokenRefresh.clientId', '', t)).toBe('(empty)');
    expect(valueToDisplay('maxStoredEvents', 100_000, t)).toBe('100,000');
    expect(valueToDisplay('retry.statuses', [408, 429], t)).toBe('408, 429');
    expect(valueToDisplay('telemetry.headers', { 'x-api-key': 'k3y' }, t)).toBe('x-api-key: (hidden)');
    expect(valueToDisplay('telemetry.headers', {}, t)).toBe('(empty)');
  });

  it('never throws on any text', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CONFIG_KEYS), fc.string({ maxLength: 200 }), (key, text) => {
        expect(() => parseFieldText(key, text, t)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});

describe('optionsView', () => {
  it('shows the defaults with source default, editable, no problems', () => {
    const view = optionsView(answerFor(undefined, undefined), DEFAULT_CONFIG, t);
    const all = view.sections.flatMap((s) => s.fields);
    expect(all).toHaveLength(CONFIG_KEYS.length);
    for (const f of all) {
      expect(f.source).toBe('default');
      expect(f.sourceLabel).toBe('Default');
      expect(f.locked).toBe(false);
      expect(f.lockedReason).toBeNull();
      expect(f.userSet).toBe(false);
      expect(f.editText).toBe(f.effectiveEditText);
    }
    expect(field(view, 'watchdog.reconnectGraceMs')).toMatchObject({ effectiveText: '10,000', editText: '10000', defaultText: '10,000' });
    expect(view.problems).toEqual([]);
    expect(view.lockedCount).toBe(0);
    expect(view.policyPending).toBe(false);
  });

  it("locks policy values with the reason, and shows user values as the user's", () => {
    const view = optionsView(
      answerFor(
        { retry: { maxAttempts: 2 }, media: { reacquireOnLoss: false } },
        { retry: { maxAttempts: 9 }, watchdog: { reconnectGraceMs: 5000 } },
      ),
      DEFAULT_CONFIG,
      t,
    );
    expect(field(view, 'retry.maxAttempts')).toMatchObject({
      source: 'policy',
      sourceLabel: 'Policy',
      locked: true,
      lockedReason: 'Set by your organisation’s policy',
      effectiveText: '2',
      editText: '2',
      userSet: true,
    });
    expect(field(view, 'media.reacquireOnLoss')).toMatchObject({ locked: true, effectiveText: 'No' });
    expect(field(view, 'watchdog.reconnectGraceMs')).toMatchObject({
      source: 'user',
      sourceLabel: 'Your setting',
      locked: false,
      userSet: true,
      editText: '5000',
    });
    expect(view.lockedCount).toBe(2);
  });

  it('shows a stored nonsense value in its editor with its problem, the default in force', () => {
    const windows = [{ days: ['Mon'], start: '06:00', timeZone: 'Mars/Olympus_Mons', durationMinutes: 30, refreshAheadMinutes: 5 }];
    const view = optionsView(answerFor({}, { riskWindows: windows }), DEFAULT_CONFIG, t);
    const f = field(view, 'riskWindows');
    expect(f.source).toBe('default');
    expect(f.userSet).toBe(true);
    expect(JSON.parse(f.editText)).toEqual(windows);
    expect(f.editText).not.toBe(f.effectiveEditText);
    expect(f.problems).toEqual(['Your value not used: window 1: unknown IANA time zone "Mars/Olympus_Mons"']);
    expect(view.problems).toEqual([
      {
        key: 'riskWindows',
        fieldId: 'field-riskWindows',
        label: 'Risk windows (JSON)',
        sourceLabel: 'Your value not used',
        message: 'window 1: unknown IANA time zone "Mars/Olympus_Mons"',
      },
    ]);
  });

  it('lists problems that belong to no field', () => {
    const view = optionsView(answerFor('nonsense', { colour: 'red' }), DEFAULT_CONFIG, t);
    expect(view.problems.map((p) => [p.label, p.fieldId])).toEqual([
      ['Settings as a whole', null],
      ['Unknown setting “colour”', null],
    ]);
  });

  it('says when the policy has not been read yet', () => {
    expect(optionsView(answerFor({}, {}, false), DEFAULT_CONFIG, t).policyPending).toBe(true);
  });

  it('never shows header values', () => {
    const view = optionsView(answerFor({}, { telemetry: { headers: { 'x-api-key': 'k3y' } } }), DEFAULT_CONFIG, t);
    expect(JSON.stringify(view)).not.toContain('k3y');
    expect(field(view, 'telemetry.headers')).toMatchObject({ secret: true, effectiveText: 'x-api-key: (hidden)' });
  });
});

describe('drafts', () => {
  it('saves nothing when nothing changed', () => {
    const answer = answerFor({}, {});
    const view = optionsView(answer, DEFAULT_CONFIG, t);
    expect(candidateUserConfig(answer, view, initialDrafts(view), t)).toEqual({ userConfig: {}, errors: [] });
  });

  it('saves changed fields and keeps stored user values', () => {
    const answer = answerFor({}, { retentionDays: 9 });
    const view = optionsView(answer, DEFAULT_CONFIG, t);
    const drafts = { ...initialDrafts(view), 'watchdog.reconnectGraceMs': { text: '5000' }, 'media.reacquireOnLoss': { text: 'false' } };
    expect(isIncluded(field(view, 'watchdog.reconnectGraceMs'), drafts['watchdog.reconnectGraceMs'])).toBe(true);
    expect(candidateUserConfig(answer, view, drafts, t)).toEqual({
      userConfig: { watchdog: { reconnectGraceMs: 5000 }, media: { reacquireOnLoss: false }, retentionDays: 9 },
      errors: [],
    });
  });

  it('names every invalid field and checks across settings against the policy', () => {
    const answer = answerFor({ retry: { baseDelayMs: 5000 } }, {});
    const view = optionsView(answer, DEFAULT_CONFIG, t);
    const bad = { ...initialDrafts(view), 'watchdog.reconnectGraceMs': { text: '-5' }, retentionDays: { text: 'x' } };
    expect(draftError(field(view, 'retentionDays'), bad.retentionDays, t)).toBe('Enter a whole number.');
    expect(candidateUserConfig(answer, view, bad, t).errors.map((e) => e.key)).toEqual(['watchdog.reconnectGraceMs', 'retentionDays']);
    const cross = { ...initialDrafts(view), 'retry.maxDelayMs': { text: '2000' } };
    expect(candidateUserConfig(answer, view, cross, t).errors).toEqual([
      { key: 'retry.maxDelayMs', message: expect.stringMatching(/below retry.baseDelayMs \(5000\)/) as string },
    ]);
  });

  it('never edits a locked field, keeping a valid stored value and dropping an invalid one', () => {
    const answer = answerFor({ retentionDays: 3, retry: { maxAttempts: 2 } }, { retentionDays: 9, retry: { maxAttempts: -1 } });
    const view = optionsView(answer, DEFAULT_CONFIG, t);
    const drafts = { ...initialDrafts(view), retentionDays: { text: '12' } };
    expect(draftError(field(view, 'retentionDays'), drafts.retentionDays, t)).toBeNull();
    expect(candidateUserConfig(answer, view, drafts, t)).toEqual({ userConfig: { retentionDays: 9 }, errors: [] });
  });

  it('rebuilds the policy values from the answer', () => {
    const answer = answerFor({ retry: { baseDelayMs: 5000 }, retentionDays: 3 }, { retentionDays: 9 });
    expect(policyValues(answer)).toEqual({ retry: { baseDelayMs: 5000 }, retentionDays: 3 });
  });
});

describe('optionsView under a vendor profile', () => {
  it('labels values from the profile as "<platform> profile", shows the profile’s value as the default, and lists the limits under the profile field', () => {
    const view = optionsView(
      answerFor({ profile: 'twilio-flex', retry: { maxAttempts: 2 } }, { watchdog: { reconnectGraceMs: 5000 } }),
      DEFAULT_CONFIG,
      t,
    );
    expect(field(view, 'profile')).toMatchObject({ source: 'policy', sourceLabel: 'Policy', locked: true, defaultText: 'custom' });
    expect(field(view, 'profile').limitsTitle).toBe('What Softphone Guard cannot do on Twilio Flex, and what it does instead');
    expect(field(view, 'profile').limits).toEqual(PROFILE_LIMITS['twilio-flex']);
    expect(field(view, 'tokenRefresh.strategy')).toMatchObject({
      source: 'default',
      sourceLabel: 'Twilio Flex profile',
      effectiveText: 'reload-when-idle',
    });
    expect(field(view, 'watchdog.heartbeatTimeoutMs').sourceLabel).toBe('Twilio Flex profile');
    // Set by policy and by the user: their own labels; the default they hide is the profile's.
    expect(field(view, 'retry.maxAttempts').sourceLabel).toBe('Policy');
    expect(field(view, 'watchdog.reconnectGraceMs')).toMatchObject({ sourceLabel: 'Your setting', defaultText: '20,000' });
    for (const key of CONFIG_KEYS.filter((k) => k !== 'profile')) expect(field(view, key).limits, key).toEqual([]);
  });

  it('shows no limits and plain "Default" labels with the custom profile', () => {
    const view = optionsView(answerFor(undefined, undefined), DEFAULT_CONFIG, t);
    expect(field(view, 'profile')).toMatchObject({ sourceLabel: 'Default', limits: [], limitsTitle: '' });
    expect(field(view, 'tokenRefresh.strategy').sourceLabel).toBe('Default');
  });
});
