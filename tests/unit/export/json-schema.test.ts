/**
 * docs/export-bundle.schema.json is generated from the zod schema (zod 4 `z.toJSONSchema`).
 * This test regenerates it and fails when the committed file is out of step; run with
 * `SG_WRITE_SCHEMA=1` to rewrite the file after a deliberate change (and bump the version
 * when the change is incompatible).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exportBundleJsonSchema } from './json-schema';

const FILE = fileURLToPath(new URL('../../../docs/export-bundle.schema.json', import.meta.url));
const DOC = fileURLToPath(new URL('../../../docs/export-bundle.md', import.meta.url));

interface Node {
  type?: string;
  properties?: Record<string, Node>;
  items?: Node;
  additionalProperties?: Node | boolean;
}

/** Every field path (`sessions[].agent.userId`, `sessions[].sockets.*.url`) of the JSON Schema. */
function fieldPaths(node: Node, path = '', out: string[] = []): string[] {
  if (path) out.push(path);
  let inner = node;
  if (node.type === 'array' && node.items?.properties) {
    inner = node.items;
    path = `${path}[]`;
  } else if (
    node.type === 'object' &&
    !node.properties &&
    typeof node.additionalProperties === 'object' &&
    node.additionalProperties.properties
  ) {
    inner = node.additionalProperties;
    path = `${path}.*`;
  }
  for (const [key, child] of Object.entries(inner.properties ?? {})) fieldPaths(child, path ? `${path}.${key}` : key, out);
  return out;
}

describe('docs/export-bundle.schema.json', () => {
  it('is what z.toJSONSchema makes of ExportBundleSchema', () => {
    const generated = `${JSON.stringify(exportBundleJsonSchema(), null, 2)}\n`;
    if (process.env.SG_WRITE_SCHEMA === '1') writeFileSync(FILE, generated);
    expect(readFileSync(FILE, 'utf8')).toBe(generated);
  });

  it('has every field documented in docs/export-bundle.md (the configuration has its own contract)', () => {
    const doc = readFileSync(DOC, 'utf8');
    const paths = fieldPaths(exportBundleJsonSchema() as Node).filter((p) => !p.startsWith('environment.config.'));
    expect(paths).toEqual(expect.arrayContaining(['sessions[].sockets.*.url', 'callStats[].mos.p95', 'incidents[].steps[].action']));
    const undocumented = paths.filter((p) => !doc.includes(`| \`${p}\` |`));
    expect(undocumented).toEqual([]);
  });

  it('names the format and pins the version', () => {
    const schema = exportBundleJsonSchema() as { properties: Record<string, { const?: unknown }>; required: string[] };
    expect(schema.properties.format?.const).toBe('softphone-guard.export-bundle');
    expect(schema.properties.version?.const).toBe(2);
    expect(schema.required).toEqual(expect.arrayContaining(['format', 'version', 'environment', 'sessions', 'incidents', 'events']));
  });
});
