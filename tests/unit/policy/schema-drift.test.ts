/**
 * Keeps public/managed-schema.json (what Chrome validates managed storage against) in step
 * with PartialConfigSchema (what the extension parses), and keeps the JSON file inside the
 * JSON-Schema subset Chrome's policy schema parser accepts
 * (chromium components/policy/core/common/schema.cc: per-type attribute allowlists, one
 * restriction per node, minimum/maximum on integers only).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PartialConfigSchema } from '../../../src/policy/schema';

type Json = Record<string, unknown>;

const managed = JSON.parse(readFileSync(fileURLToPath(new URL('../../../public/managed-schema.json', import.meta.url)), 'utf8')) as Json;
const fromZod = z.toJSONSchema(PartialConfigSchema) as Json;

/** Largest integer Chrome's base::Value can hold (int32): bigger JSON numbers become doubles. */
const INT32_MAX = 2 ** 31 - 1;

/** Attributes Chrome accepts per `type` (schema.cc kAttributesAndTypesFor*). */
const CHROME_ATTRIBUTES: Record<string, readonly string[]> = {
  array: ['description', 'id', 'items', 'sensitiveValue', 'title', 'type'],
  boolean: ['description', 'id', 'sensitiveValue', 'title', 'type'],
  integer: ['description', 'enum', 'id', 'maximum', 'minimum', 'sensitiveValue', 'title', 'type'],
  number: ['description', 'id', 'sensitiveValue', 'title', 'type'],
  object: ['additionalProperties', 'description', 'id', 'patternProperties', 'properties', 'required', 'sensitiveValue', 'title', 'type'],
  string: ['description', 'enum', 'id', 'pattern', 'sensitiveValue', 'title', 'type'],
};

function asJson(v: unknown): Json {
  return (v ?? {}) as Json;
}

/** Lower bound as an inclusive integer minimum, from either dialect. */
function lowerBound(s: Json): number | undefined {
  if (typeof s.exclusiveMinimum === 'number') return Math.floor(s.exclusiveMinimum) + 1;
  if (typeof s.minimum === 'number') return s.minimum;
  return undefined;
}

/**
 * Keys where zod accepts a union and Chrome's policy schema, which has none, declares the
 * alternative policy files use (src/policy/schema.ts `MediaSchema`): that one must be among zod's.
 */
const UNION_KEYS = new Set(['media.grantMicrophone']);

/** Walks both schemas in parallel and returns every disagreement as `path: message`. */
function drift(ours: Json, theirs: Json, path: string): string[] {
  const out: string[] = [];
  const here = path || '(root)';
  if (Array.isArray(theirs.anyOf) && UNION_KEYS.has(path)) {
    const alternative = (theirs.anyOf as Json[]).find((a) => a.type === ours.type);
    if (!alternative) return [`${here}: type ${String(ours.type)} in managed-schema.json is none of zod's alternatives`];
    return drift(ours, alternative, path);
  }
  if (ours.type !== theirs.type) {
    return [`${here}: type ${String(ours.type)} in managed-schema.json, ${String(theirs.type)} in zod`];
  }
  if (JSON.stringify(ours.enum ?? null) !== JSON.stringify(theirs.enum ?? null)) {
    out.push(`${here}: enum ${JSON.stringify(ours.enum)} vs ${JSON.stringify(theirs.enum)}`);
  }
  if ((ours.pattern ?? null) !== (theirs.pattern ?? null)) {
    out.push(`${here}: pattern ${String(ours.pattern)} vs ${String(theirs.pattern)}`);
  }
  if (ours.type === 'integer' || ours.type === 'number') {
    if (lowerBound(ours) !== lowerBound(theirs)) {
      out.push(`${here}: lower bound ${lowerBound(ours)} vs ${lowerBound(theirs)}`);
    }
    const theirMax = typeof theirs.maximum === 'number' && theirs.maximum < Number.MAX_SAFE_INTEGER ? theirs.maximum : undefined;
    if ((ours.maximum as number | undefined) !== theirMax) {
      out.push(`${here}: maximum ${String(ours.maximum)} vs ${String(theirMax)}`);
    }
  }
  if (ours.type === 'array') {
    out.push(...drift(asJson(ours.items), asJson(theirs.items), `${path}[]`));
  }
  if (ours.type === 'object') {
    const a = asJson(ours.properties);
    const b = asJson(theirs.properties);
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of [...keys].sort()) {
      const sub = path ? `${path}.${key}` : key;
      if (!(key in a)) out.push(`${sub}: in zod, missing from managed-schema.json`);
      else if (!(key in b)) out.push(`${sub}: in managed-schema.json, missing from zod`);
      else out.push(...drift(asJson(a[key]), asJson(b[key]), sub));
    }
    const ourRequired = [...((ours.required as string[] | undefined) ?? [])].sort();
    const theirRequired = [...((theirs.required as string[] | undefined) ?? [])].sort();
    if (JSON.stringify(ourRequired) !== JSON.stringify(theirRequired)) {
      out.push(`${here}: required ${JSON.stringify(ourRequired)} vs ${JSON.stringify(theirRequired)}`);
    }
    // Records: zod writes additionalProperties as a schema; closed objects write `false`.
    const ourExtra = typeof ours.additionalProperties === 'object' ? asJson(ours.additionalProperties) : undefined;
    const theirExtra = typeof theirs.additionalProperties === 'object' ? asJson(theirs.additionalProperties) : undefined;
    if (!!ourExtra !== !!theirExtra) {
      out.push(`${here}: additionalProperties schema only on one side`);
    } else if (ourExtra && theirExtra) {
      out.push(...drift(ourExtra, theirExtra, `${path}{*}`));
    }
  }
  return out;
}

/** Every problem Chrome's schema parser (or an administrator reading chrome://policy) would have. */
function chromeProblems(s: Json, path: string, needsDocs: boolean): string[] {
  const out: string[] = [];
  const here = path || '(root)';
  const type = s.type as string;
  const allowed = CHROME_ATTRIBUTES[type];
  if (!allowed) return [`${here}: type ${String(type)} is not one Chrome knows`];
  for (const attr of Object.keys(s)) {
    if (!allowed.includes(attr)) out.push(`${here}: attribute ${attr} not allowed on ${type}`);
  }
  const restrictions = ['enum', 'pattern', 'minimum', 'maximum'].filter((k) => k in s);
  if (restrictions.includes('enum') && restrictions.length > 1) {
    out.push(`${here}: Chrome honours one restriction per node, got ${restrictions.join(', ')}`);
  }
  if (restrictions.includes('pattern') && restrictions.length > 1) {
    out.push(`${here}: pattern cannot be combined with ${restrictions.join(', ')}`);
  }
  for (const bound of ['minimum', 'maximum'] as const) {
    const v = s[bound];
    if (typeof v === 'number' && (v > INT32_MAX || v < -INT32_MAX - 1)) {
      out.push(`${here}: ${bound} ${v} outside int32`);
    }
  }
  if (needsDocs) {
    if (typeof s.title !== 'string' || s.title.length === 0) out.push(`${here}: no title`);
    if (typeof s.description !== 'string' || s.description.length === 0) out.push(`${here}: no description`);
  }
  if (type === 'array') out.push(...chromeProblems(asJson(s.items), `${path}[]`, false));
  if (type === 'object') {
    for (const [key, sub] of Object.entries(asJson(s.properties))) {
      out.push(...chromeProblems(asJson(sub), path ? `${path}.${key}` : key, true));
    }
    if (typeof s.additionalProperties === 'object') {
      out.push(...chromeProblems(asJson(s.additionalProperties), `${path}{*}`, false));
    }
  }
  return out;
}

describe('managed-schema.json', () => {
  it('declares the same keys, types, enums, patterns and bounds as PartialConfigSchema', () => {
    expect(drift(managed, fromZod, '')).toEqual([]);
  });

  it('uses only what Chrome accepts and documents every key', () => {
    expect(managed.type).toBe('object');
    // Chrome: the top-level object may not have additionalProperties.
    expect(managed).not.toHaveProperty('additionalProperties');
    expect(managed).not.toHaveProperty('$schema');
    expect(chromeProblems(managed, '', false)).toEqual([]);
  });

  it('masks the telemetry headers on chrome://policy', () => {
    const telemetry = asJson(asJson(managed.properties).telemetry);
    expect(asJson(asJson(telemetry.properties).headers).sensitiveValue).toBe(true);
  });

  it('compiles its patterns the same way zod does', () => {
    const start = asJson(asJson(asJson(asJson(asJson(managed.properties).riskWindows).items).properties).start);
    const re = new RegExp(start.pattern as string);
    for (const ok of ['00:00', '06:00', '23:59']) expect(re.test(ok)).toBe(true);
    for (const bad of ['24:00', '6:00', '12:60', '']) expect(re.test(bad)).toBe(false);
  });

  describe('the drift check itself', () => {
    it('notices a missing key, a type change and an enum change', () => {
      const broken = structuredClone(managed);
      const props = asJson(broken.properties);
      delete props.retentionDays;
      asJson(props.maxStoredEvents).type = 'number';
      asJson(asJson(asJson(props.tokenRefresh).properties).strategy).enum = ['off'];
      const problems = drift(broken, fromZod, '');
      expect(problems.some((p) => p.startsWith('retentionDays: in zod'))).toBe(true);
      expect(problems.some((p) => p.startsWith('maxStoredEvents: type'))).toBe(true);
      expect(problems.some((p) => p.startsWith('tokenRefresh.strategy: enum'))).toBe(true);
    });

    it('notices an attribute Chrome would reject', () => {
      const broken = structuredClone(managed);
      asJson(asJson(broken.properties).retentionDays).format = 'int32';
      expect(chromeProblems(broken, '', false)).toContain('retentionDays: attribute format not allowed on integer');
    });
  });
});
