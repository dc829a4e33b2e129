/**
 * Recurrence on generated and hand-placed histories: the seeds' Mon 06:00 America/Chicago
 * cluster found and put in words across the 2026-11-01 daylight-saving change, nothing found
 * in noise, configured risk windows recognised (also from another zone), and a policy snippet
 * the configuration accepts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findRecurrence, weekHistogram } from '../../../src/diagnostics/recurrence';
import type { RecurrenceFinding, RecurrenceInput } from '../../../src/diagnostics/recurrence';
import { resolveConfig } from '../../../src/policy/resolve';
import { DEFAULT_CONFIG, PartialConfigSchema } from '../../../src/policy/schema';
import type { Config } from '../../../src/policy/schema';
import { checkPolicyValue } from '../policy/chrome-policy-schema';
import type { TestIncident } from './history';
import { DAY, HOUR, MINUTE, inSlot, localSlot, plantedCluster, seeded, shuffle, uniformNoise, workingHoursNoise } from './history';

const Z = (iso: string): number => Date.parse(iso);
const CHI = 'America/Chicago';
const MON_0600_SEED = DEFAULT_CONFIG.riskWindows; // [Mon 06:00, Fri 16:00] America/Chicago
const managedSchema = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../public/managed-schema.json', import.meta.url)), 'utf8'),
) as unknown;

const close = (iso: string): TestIncident => ({ kind: 'abnormal-close', openedAt: Z(iso) });

/** Thursday 2026-11-19 18:00 CST. The 30-day lookback starts Wed 2026-10-21 00:00Z, before the 2026-11-01 fall-back. */
const NOW = Z('2026-11-20T00:00:00Z');
const SINCE = NOW - 30 * DAY;

/**
 * The seeds' storm every Monday at 06:00 America/Chicago: 11:00Z while CDT is in force
 * (Oct 26), 12:00Z after the fall-back (Nov 2, 9, 16).
 */
const PLANTED = [
  close('2026-10-26T11:01:30Z'), // 06:01:30 CDT
  close('2026-10-26T11:07:00Z'), // 06:07 CDT
  close('2026-11-02T12:00:00Z'), // 06:00:00 CST, the anchor itself
  close('2026-11-02T12:09:59Z'), // 06:09:59 CST, last second inside
  close('2026-11-09T12:03:00Z'),
  close('2026-11-16T12:02:00Z'),
  close('2026-11-16T12:05:00Z'),
];
/** Abnormal closes just outside the cluster: they count in the total only. */
const NEAR_MISSES = [
  close('2026-11-09T12:10:00Z'), // 06:10:00 CST: the window is [06:00, 06:10)
  close('2026-11-02T11:05:00Z'), // 05:05 CST — 06:05 only if the summer offset were still applied
];
/** Mondays 06:0x outside the lookback: before it, and after `now`. */
const OUTSIDE = [close('2026-10-19T11:05:00Z'), close('2026-09-28T11:02:00Z'), close('2026-11-23T12:04:00Z')];

const SENTENCE_7_OF_9 = '7 of 9 abnormal closes in the last 30 days began within 10 minutes after Mon 06:00 America/Chicago';

function monthOfHistory(seed: number): TestIncident[] {
  const rng = seeded(seed);
  return shuffle(rng, [
    ...PLANTED,
    ...NEAR_MISSES,
    ...OUTSIDE,
    ...uniformNoise(rng, 'unauthorized', 60, SINCE, NOW),
    ...uniformNoise(rng, 'rate-limited', 30, SINCE, NOW),
    ...workingHoursNoise(rng, 'server-error', 25, SINCE, NOW, CHI),
  ]);
}

const run = (incidents: readonly TestIncident[], extra: Partial<RecurrenceInput> = {}): RecurrenceFinding[] =>
  findRecurrence({ incidents, now: NOW, timeZone: CHI, riskWindows: [], ...extra });

describe('the seeds’ Monday 06:00 cluster in a month of history', () => {
  it('finds 7 of 9 abnormal closes after Mon 06:00 America/Chicago across the daylight-saving change, and nothing else', () => {
    const findings = run(monthOfHistory(1));
    expect(findings).toEqual([
      {
        kind: 'abnormal-close',
        total: 9,
        clustered: 7,
        weekday: 'Mon',
        time: '06:00',
        timeZone: CHI,
        withinMinutes: 10,
        sentence: `${SENTENCE_7_OF_9} — no risk window is configured for it`,
        riskWindowIndex: null,
        policySnippet: expect.any(String),
      },
    ]);
  });

  it('the order of the incidents does not matter', () => {
    const a = run(monthOfHistory(2));
    const b = run(monthOfHistory(2).reverse());
    expect(b).toEqual(a);
    expect(a[0]?.sentence).toContain(SENTENCE_7_OF_9);
  });

  it('says when the configured risk window matches, and offers no snippet', () => {
    const [finding] = run(monthOfHistory(3), { riskWindows: MON_0600_SEED });
    expect(finding).toMatchObject({ riskWindowIndex: 0, policySnippet: null });
    expect(finding?.sentence).toBe(`${SENTENCE_7_OF_9} — matches the configured risk window Mon 06:00 America/Chicago`);
  });

  it('the snippet adds Mon 06:00 America/Chicago (30 min, refresh 10 min ahead) to the windows in force', () => {
    const existing: Config['riskWindows'] = [MON_0600_SEED[1]!]; // Fri 16:00 only
    const [finding] = run(monthOfHistory(4), { riskWindows: existing });
    expect(finding?.riskWindowIndex).toBeNull();
    const snippet = finding?.policySnippet ?? '';
    expect(snippet.startsWith('{\n  "riskWindows": [\n')).toBe(true);
    expect(JSON.parse(snippet)).toEqual({
      riskWindows: [existing[0], { days: ['Mon'], start: '06:00', timeZone: CHI, durationMinutes: 30, refreshAheadMinutes: 10 }],
    });
  });

  it('the snippet is a valid policy: the zod schema (strict), Chrome’s managed schema, resolution without problems', () => {
    const [finding] = run(monthOfHistory(5), { riskWindows: [MON_0600_SEED[1]!] });
    const value = JSON.parse(finding?.policySnippet ?? 'null') as unknown;
    expect(PartialConfigSchema.strict().safeParse(value).success).toBe(true);
    expect(checkPolicyValue(managedSchema, value)).toEqual({ invalid: [], dropped: [] });
    const resolved = resolveConfig({ managed: value, user: {} });
    expect(resolved.problems).toEqual([]);
    expect(resolved.sources.riskWindows).toBe('policy');
    expect(resolved.config.riskWindows).toEqual((value as Config).riskWindows);
  });

  it('with the snippet deployed, the same history matches the new window', () => {
    const history = monthOfHistory(6);
    const [before] = run(history, { riskWindows: [MON_0600_SEED[1]!] });
    const deployed = (JSON.parse(before?.policySnippet ?? 'null') as Config).riskWindows;
    const [after] = run(history, { riskWindows: deployed });
    expect(after).toMatchObject({ riskWindowIndex: 1, policySnippet: null });
    expect(after?.sentence).toBe(`${SENTENCE_7_OF_9} — matches the configured risk window Mon 06:00 America/Chicago`);
  });
});

describe('a generated month: planted cluster among working-hours noise', () => {
  it('reports exactly the planted incidents', () => {
    const rng = seeded(42);
    const planted = plantedCluster(rng, 'abnormal-close', {
      weekday: 0,
      minuteOfDay: 360,
      minutes: 10,
      perWeek: 2,
      since: SINCE,
      now: NOW,
      timeZone: CHI,
    });
    expect(planted).toHaveLength(8); // Mondays Oct 26, Nov 2, 9, 16
    const noise = [
      ...workingHoursNoise(rng, 'abnormal-close', 16, SINCE, NOW, CHI),
      ...uniformNoise(rng, 'abnormal-close', 6, SINCE, NOW, (at) => inSlot(at, CHI, 0, 360, 10)),
      ...workingHoursNoise(rng, 'unauthorized', 40, SINCE, NOW, CHI),
      ...uniformNoise(rng, 'ice-failed', 15, SINCE, NOW),
    ];
    const findings = run(shuffle(rng, [...planted, ...noise]), { riskWindows: MON_0600_SEED });
    expect(findings.map((f) => f.sentence)).toEqual([
      '8 of 30 abnormal closes in the last 30 days began within 10 minutes after Mon 06:00 America/Chicago — matches the configured risk window Mon 06:00 America/Chicago',
    ]);
  });

  it('finds a cluster planted at any quarter hour of the week, in several zones', () => {
    const rng = seeded(7);
    for (const timeZone of [CHI, 'Europe/London', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC']) {
      for (let i = 0; i < 6; i += 1) {
        const weekday = Math.floor(rng() * 7);
        const minuteOfDay = 15 * Math.floor(rng() * 96);
        const planted = plantedCluster(rng, 'unauthorized', {
          weekday,
          minuteOfDay,
          minutes: 10,
          perWeek: 1,
          since: SINCE,
          now: NOW,
          timeZone,
        });
        const noise = uniformNoise(rng, 'unauthorized', 6, SINCE, NOW, (at) => inSlot(at, timeZone, weekday, minuteOfDay, 10));
        const findings = findRecurrence({ incidents: [...planted, ...noise], now: NOW, timeZone, riskWindows: [] });
        const day = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][weekday];
        const hhmm = `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
        expect(
          findings.map((f) => [f.weekday, f.time, f.clustered, f.total]),
          `${timeZone} ${day} ${hhmm}`,
        ).toEqual([[day, hhmm, planted.length, planted.length + 6]]);
      }
    }
  });
});

describe('no cluster in noise', () => {
  it('uniform noise of any size gives no finding', () => {
    const rng = seeded(11);
    for (const n of [0, 1, 2, 3, 5, 20, 100, 1000, 20_000]) {
      const incidents = [
        ...uniformNoise(rng, 'abnormal-close', n, SINCE, NOW),
        ...uniformNoise(rng, 'unauthorized', Math.ceil(n / 3), SINCE, NOW),
      ];
      expect(run(incidents), `n = ${n}`).toEqual([]);
    }
  });

  it('working-hours noise (Mon–Fri 08:00–18:00) passes the rule by chance in under 1 % of histories', () => {
    const rng = seeded(2026);
    let withFinding = 0;
    const histories = 1000;
    for (let i = 0; i < histories; i += 1) {
      const n = 3 + Math.floor(rng() * 28);
      if (run(workingHoursNoise(rng, 'abnormal-close', n, SINCE, NOW, CHI)).length > 0) withFinding += 1;
    }
    expect(withFinding / histories).toBeLessThan(0.01);
  }, 120_000);

  it('empty input, and incidents only outside the lookback, give []', () => {
    expect(run([])).toEqual([]);
    expect(run(OUTSIDE)).toEqual([]);
    expect(run([{ kind: 'abnormal-close', openedAt: Number.NaN }])).toEqual([]);
  });
});

describe('the cluster rule', () => {
  const mondays = ['2026-10-26T11:0', '2026-11-02T12:0', '2026-11-09T12:0', '2026-11-16T12:0'];

  it('one storm on one Monday is not a recurrence; the same minutes a week later make it one', () => {
    const storm = [1, 2, 3, 4, 5, 6].map((m) => close(`2026-11-09T12:0${m}:00Z`));
    expect(run(storm)).toEqual([]);
    const [finding] = run([...storm, close('2026-11-02T12:03:00Z')]);
    expect(finding).toMatchObject({ clustered: 7, total: 7, weekday: 'Mon', time: '06:00' });
  });

  it('needs 3 incidents: 2 Mondays with one each is not enough', () => {
    expect(run([close('2026-11-02T12:01:00Z'), close('2026-11-09T12:01:00Z')])).toEqual([]);
    expect(run([close('2026-11-02T12:01:00Z'), close('2026-11-09T12:01:00Z'), close('2026-11-16T12:01:00Z')])).toHaveLength(1);
  });

  it('needs a quarter of the kind’s incidents: 3 of 12 is reported, 3 of 13 is not', () => {
    const cluster = mondays.slice(1).map((d) => close(`${d}1:00Z`));
    // Spread-out closes: one a day at a different hour, never Monday 06:00–06:10.
    const spread = (n: number): TestIncident[] =>
      Array.from({ length: n }, (_, i) => ({ kind: 'abnormal-close', openedAt: Z('2026-10-22T03:00:00Z') + i * (DAY + 97 * 60_000) }));
    expect(run([...cluster, ...spread(9)]).map((f) => f.sentence)).toEqual([
      '3 of 12 abnormal closes in the last 30 days began within 10 minutes after Mon 06:00 America/Chicago — no risk window is configured for it',
    ]);
    expect(run([...cluster, ...spread(10)])).toEqual([]);
  });

  it('one kind can recur at two windows: 4 of 9 after Mon 06:00 and 4 of 9 after Fri 16:00', () => {
    const mon = mondays.map((d) => close(`${d}2:00Z`));
    const fri = ['2026-10-23T21:04:00Z', '2026-10-30T21:04:00Z', '2026-11-06T22:04:00Z', '2026-11-13T22:04:00Z'].map(close); // Fri 16:04 CT
    const findings = run([...fri, ...mon, close('2026-11-11T15:00:00Z')], { riskWindows: MON_0600_SEED });
    expect(findings.map((f) => [f.sentence, f.riskWindowIndex])).toEqual([
      [
        '4 of 9 abnormal closes in the last 30 days began within 10 minutes after Mon 06:00 America/Chicago — matches the configured risk window Mon 06:00 America/Chicago',
        0,
      ],
      [
        '4 of 9 abnormal closes in the last 30 days began within 10 minutes after Fri 16:00 America/Chicago — matches the configured risk window Fri 16:00 America/Chicago',
        1,
      ],
    ]);
  });

  it('kinds are counted apart, strongest first', () => {
    const incidents = [
      ...mondays.map((d) => close(`${d}1:00Z`)),
      ...mondays.slice(1).map((d) => ({ kind: 'unauthorized' as const, openedAt: Z(`${d}2:00Z`) })),
      ...mondays.map((d) => ({ kind: 'rate-limited' as const, openedAt: Z(`${d}3:00Z`) })),
      ...mondays.map((d) => ({ kind: 'rate-limited' as const, openedAt: Z(`${d}4:00Z`) })),
    ];
    expect(run(incidents).map((f) => `${f.kind} ${f.clustered}/${f.total}`)).toEqual([
      'rate-limited 8/8',
      'abnormal-close 4/4',
      'unauthorized 3/3',
    ]);
  });

  it('anchors are quarter hours: 06:16–06:24 is "after Mon 06:15"; 06:12–06:14 needs withinMinutes 15 to be "after Mon 06:00"', () => {
    const late = [close('2026-11-02T12:16:00Z'), close('2026-11-09T12:20:00Z'), close('2026-11-16T12:24:59Z')];
    expect(run(late).map((f) => f.time)).toEqual(['06:15']);
    const between = [close('2026-11-02T12:12:00Z'), close('2026-11-09T12:14:00Z'), close('2026-11-16T12:13:00Z')];
    expect(run(between)).toEqual([]);
    expect(run(between, { withinMinutes: 15 }).map((f) => f.sentence)).toEqual([
      '3 of 3 abnormal closes in the last 30 days began within 15 minutes after Mon 06:00 America/Chicago — no risk window is configured for it',
    ]);
  });

  it('the week wraps Sunday → Monday, and a late-Sunday storm running past midnight is one week', () => {
    // Sun 23:50 and Mon 00:05 CST after Sun 23:45 with withinMinutes 30.
    const wrapped = [close('2026-11-02T05:50:00Z'), close('2026-11-09T06:05:00Z'), close('2026-11-16T05:55:00Z')];
    expect(run(wrapped, { withinMinutes: 30 }).map((f) => [f.weekday, f.time, f.clustered])).toEqual([['Sun', '23:45', 3]]);
    const oneNight = [close('2026-11-09T05:50:00Z'), close('2026-11-09T06:05:00Z'), close('2026-11-09T05:59:00Z')];
    expect(run(oneNight, { withinMinutes: 30 })).toEqual([]);
  });

  it('the lookback is (now − lookbackDays × 24 h, now]', () => {
    const now = Z('2026-11-16T12:05:00Z'); // Mon 06:05 CST
    const since = now - 28 * DAY;
    const incidents: TestIncident[] = [
      close('2026-11-16T12:05:00Z'), // = now: in
      close('2026-11-09T12:05:00Z'),
      close('2026-11-02T12:05:00Z'),
      { kind: 'abnormal-close', openedAt: since }, // = start: out
      { kind: 'abnormal-close', openedAt: since + 1 }, // in, Mon 07:05 CDT
      { kind: 'abnormal-close', openedAt: now + 1 }, // future: out
    ];
    const findings = findRecurrence({ incidents, now, timeZone: CHI, riskWindows: [], lookbackDays: 28 });
    expect(findings.map((f) => f.sentence)).toEqual([
      '3 of 4 abnormal closes in the last 28 days began within 10 minutes after Mon 06:00 America/Chicago — no risk window is configured for it',
    ]);
    expect(findRecurrence({ incidents, now, timeZone: CHI, riskWindows: [], lookbackDays: 1, withinMinutes: 1 })).toEqual([]);
  });

  it('singular words for one day and one minute', () => {
    const now = Z('2026-11-16T12:30:00Z');
    const incidents = [close('2026-11-16T12:00:10Z'), close('2026-11-09T12:00:20Z'), close('2026-11-02T12:00:30Z')];
    const [finding] = findRecurrence({ incidents, now, timeZone: CHI, riskWindows: [], lookbackDays: 15, withinMinutes: 1 });
    expect(finding?.sentence).toBe(
      '3 of 3 abnormal closes in the last 15 days began within 1 minute after Mon 06:00 America/Chicago — no risk window is configured for it',
    );
    const [today] = findRecurrence({
      incidents: [...incidents, close('2026-11-16T12:00:40Z')],
      now,
      timeZone: CHI,
      riskWindows: [],
      lookbackDays: 1,
    });
    expect(today).toBeUndefined(); // all four today: one week only
  });
});

describe('daylight saving', () => {
  it('a Monday 06:00 cluster across the March 2026 spring-forward is one cluster (12:00Z before, 11:00Z after)', () => {
    const now = Z('2026-03-20T00:00:00Z');
    const incidents = [
      close('2026-02-23T12:02:00Z'),
      close('2026-03-02T12:04:00Z'),
      close('2026-03-09T11:03:00Z'),
      close('2026-03-16T11:06:00Z'),
    ];
    const findings = findRecurrence({ incidents, now, timeZone: CHI, riskWindows: MON_0600_SEED });
    expect(findings.map((f) => f.sentence)).toEqual([
      '4 of 4 abnormal closes in the last 30 days began within 10 minutes after Mon 06:00 America/Chicago — matches the configured risk window Mon 06:00 America/Chicago',
    ]);
  });

  it('read in UTC, the same incidents split at the offset change into two smaller clusters', () => {
    const findings = findRecurrence({ incidents: monthOfHistory(8), now: NOW, timeZone: 'UTC', riskWindows: [] });
    // 12:00Z: the five CST Mondays' closes; 11:00Z: the two CDT ones plus 05:05 CST, which
    // only a fixed offset puts next to them.
    expect(findings.map((f) => [f.kind, f.weekday, f.time, f.clustered, f.total])).toEqual([
      ['abnormal-close', 'Mon', '12:00', 5, 9],
      ['abnormal-close', 'Mon', '11:00', 3, 9],
    ]);
  });

  it('both 01:30s of the fall-back night are Sunday 01:30', () => {
    const incidents = [
      close('2026-10-25T06:31:00Z'), // Sun 01:31 CDT
      close('2026-11-01T06:32:00Z'), // Sun 01:32 CDT (first 01:30)
      close('2026-11-01T07:33:00Z'), // Sun 01:33 CST (second 01:30)
      close('2026-11-08T07:34:00Z'), // Sun 01:34 CST
    ];
    expect(run(incidents).map((f) => [f.weekday, f.time, f.clustered])).toEqual([['Sun', '01:30', 4]]);
  });
});

describe('matching configured risk windows in absolute time', () => {
  const history = monthOfHistory(9);
  const win = (w: Partial<Config['riskWindows'][number]>): Config['riskWindows'][number] => ({
    days: ['Mon'],
    start: '06:00',
    timeZone: CHI,
    durationMinutes: 30,
    refreshAheadMinutes: 5,
    ...w,
  });
  const match = (riskWindows: Config['riskWindows']): [number | null, string | undefined] => {
    const [f] = run(history, { riskWindows });
    return [f?.riskWindowIndex ?? null, f?.sentence.split(' — ')[1]];
  };

  it('a UTC window covering 11:00Z–12:30Z matches both the CDT and the CST Mondays', () => {
    expect(match([win({ days: ['Fri'] }), win({ start: '11:00', timeZone: 'UTC', durationMinutes: 90 })])).toEqual([
      1,
      'matches the configured risk window Mon 11:00 UTC',
    ]);
  });

  it('a UTC window at 12:00Z misses the CDT Monday (11:00Z) and does not match', () => {
    const [index, words] = match([win({ start: '12:00', timeZone: 'UTC' })]);
    expect([index, words]).toEqual([null, 'no risk window is configured for it']);
  });

  it('a window starting before the anchor that lasts past it matches; one starting after it does not', () => {
    expect(match([win({ start: '05:45' })])).toEqual([0, 'matches the configured risk window Mon 05:45 America/Chicago']);
    expect(match([win({ start: '05:45', durationMinutes: 15 })])[0]).toBeNull();
    expect(match([win({ start: '06:05' })])[0]).toBeNull();
  });

  it('a Sunday-night window running into Monday morning matches, named by its own start', () => {
    expect(match([win({ days: ['Sun'], start: '23:00', durationMinutes: 8 * 60 })])).toEqual([
      0,
      'matches the configured risk window Sun 23:00 America/Chicago',
    ]);
  });

  it('the first matching window wins; windows in an unknown zone never match but stay in the snippet', () => {
    expect(match([win({ days: ['Fri', 'Mon'] }), win({})])[0]).toBe(0);
    const bad = win({ timeZone: 'Mars/Olympus_Mons' });
    const [f] = run(history, { riskWindows: [bad] });
    expect(f?.riskWindowIndex).toBeNull();
    expect((JSON.parse(f?.policySnippet ?? 'null') as Config).riskWindows[0]).toEqual(bad);
  });

  it('reported in Europe/London, the Mon 12:00 part (after the US change) matches the Chicago window, the 11:00 part does not', () => {
    // Oct 26 06:00 CDT = 11:00 GMT (the UK changed on Oct 25); from Nov 2, 06:00 CST = 12:00 GMT.
    const findings = findRecurrence({ incidents: history, now: NOW, timeZone: 'Europe/London', riskWindows: MON_0600_SEED });
    expect(findings.map((f) => f.sentence)).toEqual([
      '5 of 9 abnormal closes in the last 30 days began within 10 minutes after Mon 12:00 Europe/London — matches the configured risk window Mon 06:00 America/Chicago',
      '3 of 9 abnormal closes in the last 30 days began within 10 minutes after Mon 11:00 Europe/London — no risk window is configured for it',
    ]);
  });
});

describe('weekHistogram', () => {
  it('counts the planted month by local weekday and hour: Mon 06 holds both the CDT and the CST mornings', () => {
    const grid = weekHistogram([...PLANTED, ...NEAR_MISSES], CHI);
    expect(grid).toHaveLength(7);
    expect(grid[0]?.[6]).toBe(8); // the 7 plus 06:10
    expect(grid[0]?.[5]).toBe(1); // 05:05 CST
    expect(grid.flat().reduce((a, b) => a + b, 0)).toBe(9);
  });

  it('minute by minute across daylight-saving changes, every instant lands in the oracle’s weekday and hour', () => {
    const changes: Array<[string, string]> = [
      [CHI, '2026-11-01T07:00:00Z'],
      [CHI, '2026-03-08T08:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'], // 30-minute change
      ['Europe/London', '2026-10-25T01:00:00Z'],
    ];
    for (const [timeZone, iso] of changes) {
      const instants = Array.from({ length: 6 * 60 }, (_, i) => Z(iso) - 3 * HOUR + i * MINUTE + 17_000);
      const expected = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
      for (const at of instants) {
        const { weekday, msOfDay } = localSlot(at, timeZone);
        const row = expected[weekday]!;
        row[Math.floor(msOfDay / HOUR)]! += 1;
      }
      expect(
        weekHistogram(
          instants.map((openedAt) => ({ openedAt })),
          timeZone,
        ),
        `${timeZone} ${iso}`,
      ).toEqual(expected);
    }
  });

  it('skips undated entries and refuses an unknown zone', () => {
    expect(weekHistogram([{ openedAt: Number.NaN }, { openedAt: Z('2026-11-02T12:00:00Z') }], CHI)[0]?.[6]).toBe(1);
    expect(() => weekHistogram([], 'Mars/Base')).toThrow(/weekHistogram: unknown time zone "Mars\/Base"/);
  });
});

describe('bad input', () => {
  it('an unknown time zone is a RangeError that names it', () => {
    expect(() => run([], { timeZone: 'Mars/Base' })).toThrow(RangeError);
    expect(() => run(PLANTED, { timeZone: 'Mars/Base' })).toThrow(
      'findRecurrence: unknown time zone "Mars/Base"; expected an IANA time zone name such as America/Chicago',
    );
    expect(() => run([], { timeZone: '' })).toThrow(RangeError);
  });

  it('now, lookbackDays and withinMinutes out of range are RangeErrors', () => {
    expect(() => run([], { now: Number.NaN })).toThrow(/now must be epoch ms/);
    expect(() => run([], { lookbackDays: 0 })).toThrow(/lookbackDays must be a whole number from 1 to 3650, got 0/);
    expect(() => run([], { lookbackDays: 1.5 })).toThrow(RangeError);
    expect(() => run([], { withinMinutes: 0 })).toThrow(/withinMinutes/);
    expect(() => run([], { withinMinutes: 1441 })).toThrow(RangeError);
  });

  it('does not modify its input', () => {
    const incidents = monthOfHistory(10);
    const copy = structuredClone(incidents);
    const windows = structuredClone(MON_0600_SEED);
    run(incidents, { riskWindows: windows });
    expect(incidents).toEqual(copy);
    expect(windows).toEqual(MON_0600_SEED);
  });
});
