import { describe, expect, it } from 'vitest';
import { buildBundle } from '../../../src/export/build-bundle';
import { MAX_SUMMARY_LINES, shortDuration, summaryText } from '../../../src/export/summary';
import type { SessionView } from '../../../src/protocol/ui';
import { stormInputs } from './fixtures';

describe('summaryText', () => {
  const text = summaryText(buildBundle(stormInputs()));

  it('names the extension version, the browser, the time and the configuration sources', () => {
    expect(text).toContain('Extension: 0.1.0');
    expect(text).toContain('Browser: Chromium 156.0.7778.0 on Linux');
    expect(text).toMatch(/When: 2023-11-14 22:13:50Z \(machine time zone America\/Chicago\)/);
    expect(text).toMatch(/Configuration: 3 settings from policy, 0 from user settings, \d+ defaults; no problems/);
  });

  it('describes the agent session with its health and latest incidents: time, kind, what was done, outcome', () => {
    expect(text).toMatch(/^Agent Ada Agent \(agent-1\), org org-a, tab 7: \w+ \(live\)$/m);
    expect(text).toMatch(/^ {2}- 22:13:40Z abnormal-close: .*1006.*$/m);
    expect(text).toMatch(/^ {2}- 22:13:40Z unauthorized: .*done: token-refresh ok.*$/m);
  });

  it('gives the call quality medians', () => {
    expect(text).toMatch(/Call pc1 \(3 samples\): medians RTT 60 ms, jitter 5 ms, loss 0\.5 %, MOS 4\.2/);
  });

  it('stays short however many sessions and incidents there are, and holds no secret', () => {
    const inputs = stormInputs();
    const base = inputs.sessions[0] as SessionView;
    const sessions: SessionView[] = Array.from({ length: 12 }, (_, i) => ({
      ...base,
      tabId: 100 + i,
      agent: { userId: `agent-${i}`, name: `Bearer secret-canary-${i}` },
      incidents: base.incidents.map((inc) => ({ ...inc, tabId: 100 + i })),
    }));
    const long = summaryText(buildBundle({ ...inputs, sessions }));
    expect(long.split('\n').length).toBeLessThanOrEqual(MAX_SUMMARY_LINES);
    expect(long).toContain('8 more sessions in the bundle.');
    expect(long).not.toMatch(/secret-canary/);
  });

  it('says so when nothing is monitored', () => {
    expect(
      summaryText(buildBundle(stormInputs({ sessions: [], incidents: [], events: [], eventsStored: 0, incidentsStored: 0 }))),
    ).toContain('No softphone session monitored.');
  });
});

describe('shortDuration', () => {
  it.each([
    [850, '850 ms'],
    [4_200, '4 s'],
    [600_000, '10 min'],
    [3 * 3_600_000, '3 h'],
  ])('%d ms → %s', (ms, out) => expect(shortDuration(ms)).toBe(out));
});

describe('summaryText bounds', () => {
  it('says how many stored events the bundle left out', () => {
    const inputs = stormInputs();
    const text = summaryText(buildBundle({ ...inputs, eventsStored: 123_456, eventsLimit: inputs.events.length }));
    expect(text).toContain(`Stored: 123,456 events (newest ${inputs.events.length} in the bundle)`);
  });
});
