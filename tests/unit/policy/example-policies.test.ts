/**
 * The example policies of the deployment guide (docs/policies/) are deployable as they stand:
 * each parses, passes the extension's own schema with no key left over (a typo would be
 * stripped silently), resolves without a single problem and with every key it sets in force
 * from policy, and passes Chrome's check against public/managed-schema.json with nothing
 * invalid and nothing dropped. Each gives its profile's configuration (src/policy/profiles.ts;
 * none named: `custom`) overlaid with the keys it sets, and a vendor example sets only what the
 * profile cannot know (the customer's OAuth client, their region's login host): no value the
 * profile already supplies. The lab example lists every key on purpose (the platform wrappers'
 * source). The Linux and Windows wrappers are generated from the lab example; Chrome's way of
 * reading the .reg back gives the lab example again.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PartialConfigSchema } from '../../../src/policy/schema';
import { resolveConfig } from '../../../src/policy/resolve';
import { profileConfig } from '../../../src/policy/profiles';
import { getLeaf, setLeaf } from '../../../src/policy/leaf-path';
import type { ProfileName } from '../../../src/policy/schema';
import { checkPolicyValue } from './chrome-policy-schema';
import type { JsonValue } from './chrome-policy-schema';
import {
  EXTENSION_ID,
  REGISTRY_ROOTS,
  extensionPolicyKey,
  linuxPolicyFile,
  parseRegFile,
  registryToPolicy,
  windowsRegFile,
} from './policy-files';

type Dict = { [key: string]: JsonValue };

const repoPath = (p: string): string => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const readJson = (p: string): unknown => JSON.parse(readFileSync(repoPath(p), 'utf8'));

const managedSchema = readJson('public/managed-schema.json') as Record<string, unknown>;
const examples = readdirSync(repoPath('docs/policies'))
  .filter((f) => f.endsWith('.json'))
  .sort();

/** Paths present in `input` but not in `output`: what a non-strict parse stripped. */
function strippedPaths(input: unknown, output: unknown, path = ''): string[] {
  if (Array.isArray(input) && Array.isArray(output)) {
    return input.flatMap((item, i) => strippedPaths(item, output[i], `${path}[${i}]`));
  }
  if (input && typeof input === 'object' && output && typeof output === 'object' && !Array.isArray(input)) {
    return Object.entries(input).flatMap(([k, v]) => {
      const sub = path ? `${path}.${k}` : k;
      return k in output ? strippedPaths(v, (output as Record<string, unknown>)[k], sub) : [sub];
    });
  }
  return [];
}

/**
 * PartialConfigSchema, strictly: it must accept the value and keep every key. (The schema
 * itself strips unknown keys, like Chrome drops undeclared ones, so a plain parse hides typos.)
 */
function strictProblems(value: unknown): string[] {
  const parsed = PartialConfigSchema.safeParse(value);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return strippedPaths(value, parsed.data).map((p) => `${p}: unknown key`);
}

/** Leaf keys as resolveConfig names them: an object's fields dotted (`retry.maxAttempts`), anything else whole (`riskWindows`). */
function leafKeys(value: Dict): string[] {
  return Object.entries(value).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v).map((f) => `${k}.${f}`) : [k],
  );
}

const update = process.env.UPDATE_POLICY_EXAMPLES === '1';

/** Compares a generated file with the committed one (or rewrites it with UPDATE_POLICY_EXAMPLES=1). */
function expectFile(path: string, generated: string): void {
  if (update) writeFileSync(repoPath(path), generated);
  expect(
    readFileSync(repoPath(path), 'utf8'),
    `${path} is out of date: run UPDATE_POLICY_EXAMPLES=1 npx vitest run tests/unit/policy/example-policies.test.ts`,
  ).toBe(generated);
}

describe('docs/policies example policies', () => {
  it('are the four the deployment guide names', () => {
    expect(examples).toEqual(['amazon-connect.json', 'genesys-cloud.json', 'softphone-lab.json', 'twilio-flex.json']);
  });

  describe.each(examples)('%s', (file) => {
    const value = readJson(`docs/policies/${file}`) as Dict;

    it('passes PartialConfigSchema with no key left over', () => {
      expect(strictProblems(value)).toEqual([]);
    });

    it('resolves without problems, every key it sets in force from policy', () => {
      const resolved = resolveConfig({ managed: value, user: undefined });
      expect(resolved.problems).toEqual([]);
      for (const key of leafKeys(value)) {
        expect(resolved.sources[key as keyof typeof resolved.sources], key).toBe('policy');
      }
    });

    it('passes Chrome’s check against public/managed-schema.json, nothing invalid, nothing dropped', () => {
      expect(checkPolicyValue(managedSchema, value)).toEqual({ invalid: [], dropped: [] });
    });

    it('gives its profile’s configuration overlaid with the keys it sets', () => {
      const profile = (value.profile ?? 'custom') as ProfileName;
      let expected: Record<string, unknown> = { ...profileConfig(profile) };
      for (const key of leafKeys(value)) expected = setLeaf(expected, key, getLeaf(value, key));
      expect(resolveConfig({ managed: value, user: undefined }).config).toEqual(expected);
    });
  });

  describe.each(examples.filter((f) => f !== 'softphone-lab.json'))('%s (a vendor example)', (file) => {
    const value = readJson(`docs/policies/${file}`) as Dict;

    it('names its vendor’s profile and repeats no value the profile already supplies', () => {
      expect(value.profile).toBe(file.replace(/\.json$/, ''));
      const supplied = profileConfig(value.profile as ProfileName);
      for (const key of leafKeys(value).filter((k) => k !== 'profile')) {
        expect(getLeaf(value, key), key).not.toEqual(getLeaf(supplied, key));
      }
    });
  });

  it('set the seeds’ risk windows (Mon 06:00 and Fri 16:00 America/Chicago) for Genesys Cloud (from its profile) and the lab', () => {
    for (const file of ['genesys-cloud.json', 'softphone-lab.json']) {
      const windows = resolveConfig({ managed: readJson(`docs/policies/${file}`), user: undefined }).config.riskWindows;
      expect(windows.map((w) => [w.days, w.start, w.timeZone])).toEqual([
        [['Mon'], '06:00', 'America/Chicago'],
        [['Fri'], '16:00', 'America/Chicago'],
      ]);
    }
  });
});

describe('a typo in a policy', () => {
  // The lab example: it sets every key, so a typo can hit any of them.
  const lab = readJson('docs/policies/softphone-lab.json') as Dict;
  const withTypo = (mutate: (v: Dict) => void): Dict => {
    const copy = structuredClone(lab);
    mutate(copy);
    return copy;
  };
  const nestedTypo = withTypo((v) => {
    const tokenRefresh = v.tokenRefresh as Dict;
    tokenRefresh.refreshAheadSecond = tokenRefresh.refreshAheadSeconds as number;
    delete tokenRefresh.refreshAheadSeconds;
  });
  const topTypo = withTypo((v) => {
    v.riskWindow = v.riskWindows as JsonValue;
    delete v.riskWindows;
  });
  const itemTypo = withTypo((v) => {
    ((v.riskWindows as Dict[])[0] as Dict).durationMinute = 30;
  });

  it('is invisible to a plain PartialConfigSchema parse (unknown keys are stripped)', () => {
    expect(PartialConfigSchema.safeParse(nestedTypo).success).toBe(true);
    expect(PartialConfigSchema.safeParse(itemTypo).success).toBe(true);
  });

  it('is caught by the strict check, wherever it is', () => {
    expect(strictProblems(nestedTypo)).toEqual(['tokenRefresh.refreshAheadSecond: unknown key']);
    expect(strictProblems(topTypo)).toEqual(['riskWindow: unknown key']);
    expect(strictProblems(itemTypo)).toEqual(['riskWindows[0].durationMinute: unknown key']);
  });

  it('is what Chrome drops silently inside an object and refuses at the top level', () => {
    expect(checkPolicyValue(managedSchema, nestedTypo)).toEqual({ invalid: [], dropped: ['tokenRefresh.refreshAheadSecond'] });
    expect(checkPolicyValue(managedSchema, topTypo).invalid).toEqual(['riskWindow: unknown policy, not served']);
    // riskWindows items declare every property as required, so a misspelt one is not dropped but missing.
    const misspeltRequired = withTypo((v) => {
      const item = (v.riskWindows as Dict[])[0] as Dict;
      item.timezone = item.timeZone as string;
      delete item.timeZone;
    });
    expect(checkPolicyValue(managedSchema, misspeltRequired).invalid).toEqual([
      'riskWindows[0]: Missing or invalid required property: timeZone',
    ]);
  });

  it('is reported by resolveConfig, and the default stays in force', () => {
    const resolved = resolveConfig({ managed: nestedTypo, user: undefined });
    expect(resolved.problems.map((p) => p.key)).toContain('tokenRefresh.refreshAheadSecond');
    expect(resolved.sources['tokenRefresh.refreshAheadSeconds']).toBe('default');
  });
});

describe('platform wrappers generated from docs/policies/softphone-lab.json', () => {
  const lab = readJson('docs/policies/softphone-lab.json') as Dict;

  it('Linux: docs/policies/linux/softphone-guard.json is the 3rdparty wrapper', () => {
    expectFile('docs/policies/linux/softphone-guard.json', linuxPolicyFile(lab));
    const wrapper = readJson('docs/policies/linux/softphone-guard.json') as Dict;
    expect(Object.keys(wrapper)).toEqual(['3rdparty']);
    expect(((wrapper['3rdparty'] as Dict).extensions as Dict)[EXTENSION_ID]).toEqual(lab);
  });

  it('Windows: docs/policies/windows/softphone-guard-lab.reg, read the way Chrome reads the registry, is the lab policy for Chrome and Edge', () => {
    expectFile('docs/policies/windows/softphone-guard-lab.reg', windowsRegFile(lab, 'docs/policies/softphone-lab.json'));
    const reg = parseRegFile(readFileSync(repoPath('docs/policies/windows/softphone-guard-lab.reg'), 'utf8'));
    for (const root of REGISTRY_ROOTS) {
      const key = extensionPolicyKey(root.key);
      expect(reg.deleted).toContain(key);
      const policy = registryToPolicy(reg, key, managedSchema);
      expect(policy, root.browser).toEqual(lab);
      expect(checkPolicyValue(managedSchema, policy)).toEqual({ invalid: [], dropped: [] });
    }
    expect([...reg.keys.keys()].every((k) => k.includes(`\\3rdparty\\extensions\\${EXTENSION_ID}\\policy`))).toBe(true);
  });
});
