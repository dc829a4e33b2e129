/**
 * public/managed-schema.json against Chrome's rules for `storage.managed_schema`: an invalid
 * schema stops the extension from loading (tests/e2e/managed-schema.spec.ts shows it in
 * Chromium), and an administrator reads every key's title and description on chrome://policy.
 * Also tests the small model of Chrome's schema handling (./chrome-policy-schema.ts) that the
 * example-policy tests rely on.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHROME_SCHEMA_TYPES, checkPolicyValue, chromeSchemaLoadError, schemaLintProblems } from './chrome-policy-schema';

type Node = Record<string, unknown>;

const managed = JSON.parse(readFileSync(fileURLToPath(new URL('../../../public/managed-schema.json', import.meta.url)), 'utf8')) as Node;
const props = (n: Node): Record<string, Node> => n.properties as Record<string, Node>;

/** Every schema node of the file with its path. */
function allNodes(node: Node, path = ''): [string, Node][] {
  const out: [string, Node][] = [[path || '(root)', node]];
  if (node.items) out.push(...allNodes(node.items as Node, `${path}[]`));
  for (const [k, v] of Object.entries((node.properties ?? {}) as Record<string, Node>)) {
    out.push(...allNodes(v, path ? `${path}.${k}` : k));
  }
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    out.push(...allNodes(node.additionalProperties as Node, `${path}{*}`));
  }
  return out;
}

describe('public/managed-schema.json follows Chrome’s schema rules', () => {
  it('loads: Chrome’s parser would accept it', () => {
    expect(chromeSchemaLoadError(managed)).toBeUndefined();
  });

  it('is an object at the top level, without additionalProperties, $schema or $ref', () => {
    expect(managed.type).toBe('object');
    expect(Object.keys(managed).sort()).toEqual(['properties', 'type']);
  });

  it('gives every node exactly one type, and only types Chrome supports', () => {
    for (const [path, node] of allNodes(managed)) {
      expect(typeof node.type, path).toBe('string');
      expect(CHROME_SCHEMA_TYPES, path).toContain(node.type);
      expect(node, path).not.toHaveProperty('$ref');
    }
  });

  it('declares items for every array', () => {
    for (const [path, node] of allNodes(managed)) {
      if (node.type === 'array') expect(node.items, path).toMatchObject({ type: expect.any(String) });
    }
  });

  it('gives every key, nested ones included, a title and a description', () => {
    const keys = allNodes(managed).filter(([path]) => path !== '(root)' && !path.endsWith('[]') && !path.endsWith('{*}'));
    expect(keys.length).toBeGreaterThan(40);
    for (const [path, node] of keys) {
      expect(String(node.title ?? '').trim(), `${path} title`).not.toBe('');
      expect(String(node.description ?? '').trim(), `${path} description`).not.toBe('');
    }
  });

  it('uses no attribute Chrome would ignore', () => {
    expect(schemaLintProblems(managed)).toEqual([]);
  });

  it('checks values the way the extension expects: a wrong type or a bound outside the range invalidates that policy only', () => {
    const result = checkPolicyValue(managed, {
      maxStoredEvents: '100000',
      retentionDays: 0,
      watchdog: { reconnectGraceMs: 10_000 },
      retry: { statuses: [408, 600] },
      tokenRefresh: { strategy: 'sometimes' },
      riskWindows: [{ days: ['Mon'], start: '6:00', timeZone: 'America/Chicago', durationMinutes: 30, refreshAheadMinutes: 5 }],
    });
    expect(result.invalid).toEqual([
      'maxStoredEvents: Policy type mismatch: expected "integer", got "100000"',
      'retentionDays: Invalid value for integer',
      'retry.statuses[1]: Invalid value for integer',
      'tokenRefresh.strategy: Invalid value for string',
      'riskWindows[0].start: Invalid value for string',
    ]);
    expect(result.dropped).toEqual([]);
  });
});

describe('the model of Chrome’s schema parser', () => {
  const breakages: [string, (s: Node) => void, string][] = [
    [
      'an unknown type',
      (s) => {
        props(s).retentionDays!.type = 'nonsense';
      },
      "Unknown type 'nonsense'.",
    ],
    [
      'a node without type',
      (s) => {
        delete props(s).retentionDays!.type;
      },
      "Each schema must have a 'type' or '$ref'.",
    ],
    [
      'an array without items',
      (s) => {
        delete props(s).softphoneUrlPatterns!.items;
      },
      "Schema of type 'array' must have a schema in 'items' of type dictionary.",
    ],
    [
      'additionalProperties at the top level',
      (s) => {
        s.additionalProperties = { type: 'string' };
      },
      '"additionalProperties" and "patternProperties" are not supported at the main schema.',
    ],
    [
      'a top level that is not an object',
      (s) => {
        s.type = 'array';
        s.items = { type: 'string' };
      },
      'The main schema must have a type attribute with "object" value.',
    ],
    [
      'an empty enum',
      (s) => {
        props(props(s).tokenRefresh!).strategy!.enum = [];
      },
      "Attribute 'enum' must be a non-empty list.",
    ],
    [
      'an enum of the wrong type',
      (s) => {
        props(props(s).tokenRefresh!).strategy!.enum = [1];
      },
      "Attribute 'enum' for type 'string' contains items with invalid types",
    ],
    [
      'minimum above maximum',
      (s) => {
        props(s).retentionDays!.maximum = 0;
      },
      'Invalid range specified [1;0].',
    ],
    [
      'a title that is not a string',
      (s) => {
        props(s).retentionDays!.title = 7;
      },
      "Invalid type for attribute 'title'",
    ],
    [
      'required naming an undeclared property',
      (s) => {
        ((props(s).riskWindows!.items as Node).required as string[]).push('weekday');
      },
      "Attribute 'required' contains unknown property 'weekday'.",
    ],
    [
      'a $ref to no id',
      (s) => {
        props(s).maxStoredEvents = { $ref: 'Count' };
      },
      'Invalid $ref: Count',
    ],
    [
      'a pattern that does not compile',
      (s) => {
        props(props(s).riskWindows!.items as Node).start!.pattern = '([';
      },
      '/([/ is invalid regex',
    ],
  ];

  it.each(breakages)('refuses %s', (_name, breakIt, message) => {
    const broken = structuredClone(managed);
    breakIt(broken);
    expect(chromeSchemaLoadError(broken)).toContain(message);
  });

  it('ignores attributes it does not know (Chrome parses with kSchemaOptionsIgnoreUnknownAttributes), which the lint reports', () => {
    const s = structuredClone(managed);
    props(s).retentionDays!.format = 'int32';
    expect(chromeSchemaLoadError(s)).toBeUndefined();
    expect(schemaLintProblems(s)).toEqual(['retentionDays: attribute format is ignored by Chrome on a integer']);
  });

  it('resolves $ref to an id', () => {
    const s = {
      type: 'object',
      properties: {
        a: { id: 'Window', type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['n'] },
        b: { type: 'array', items: { $ref: 'Window' } },
      },
    };
    expect(chromeSchemaLoadError(s)).toBeUndefined();
    expect(checkPolicyValue(s, { a: { n: 1 }, b: [{ n: 2 }] })).toEqual({ invalid: [], dropped: [] });
    expect(checkPolicyValue(s, { b: [{ n: 2 }, { n: 0 }] }).invalid).toEqual(['b[1].n: Invalid value for integer']);
    expect(checkPolicyValue(s, { b: [{}] }).invalid).toEqual(['b[0]: Missing or invalid required property: n']);
    expect(chromeSchemaLoadError({ ...s, properties: { ...s.properties, c: { id: 'Window', type: 'string' } } })).toBe(
      'Duplicated id: Window',
    );
  });

  it('follows Chrome on numbers, records, patterns and unknown keys', () => {
    const s = {
      type: 'object',
      properties: {
        i: { type: 'integer' },
        n: { type: 'number' },
        rec: { type: 'object', additionalProperties: { type: 'string' } },
        obj: { type: 'object', properties: { k: { type: 'boolean' } }, patternProperties: { '^x-': { type: 'integer' } } },
        code: { type: 'string', pattern: '\\d{3}' },
      },
    };
    const check = (value: unknown) => checkPolicyValue(s, value);
    expect(check({ i: 1.5 }).invalid).toHaveLength(1);
    expect(check({ i: 2 ** 31 }).invalid).toHaveLength(1); // beyond int32: a double in Chrome
    expect(check({ n: 3 })).toEqual({ invalid: [], dropped: [] }); // an integer is a number
    expect(check({ rec: { a: 'x', b: 'y' } })).toEqual({ invalid: [], dropped: [] });
    expect(check({ rec: { a: 1 } }).invalid).toEqual(['rec.a: Policy type mismatch: expected "string", got 1']);
    expect(check({ obj: { k: true, 'x-n': 3, other: 1 } })).toEqual({ invalid: [], dropped: ['obj.other'] });
    expect(check({ obj: { 'x-n': 'three' } }).invalid).toHaveLength(1);
    expect(check({ code: 'call 555 now' })).toEqual({ invalid: [], dropped: [] }); // RE2 partial match
    expect(check({ code: 'none' }).invalid).toEqual(['code: Invalid value for string']);
    expect(check({ unknown: 1, i: 1 })).toEqual({ invalid: ['unknown: unknown policy, not served'], dropped: [] });
  });
});
