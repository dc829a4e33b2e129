/**
 * The platform files that carry Softphone Guard's managed configuration (docs/deployment.md),
 * generated from a managed-storage value, and the way Chrome reads the Windows one back.
 *
 * - Linux: one JSON file in `/etc/opt/chrome/policies/managed/` (Chrome),
 *   `/etc/chromium/policies/managed/` (Chromium) or `/etc/opt/edge/policies/managed/` (Edge),
 *   shaped `{"3rdparty": {"extensions": {"<id>": value}}}`.
 * - Windows: `HKLM\SOFTWARE\Policies\{Google\Chrome|Microsoft\Edge}\3rdparty\extensions\<id>\policy`.
 *   Chrome reads that key per the extension's schema (chromium
 *   `components/policy/core/common/registry_dict.cc`, `ConvertRegistryValue`): strings from
 *   REG_SZ, integers and booleans from REG_DWORD (a boolean is `value != 0`), an object from a
 *   subkey or from a REG_SZ holding JSON, a list from a REG_SZ holding JSON (or a subkey of
 *   values named 1, 2, …, which Chrome orders as text, so "10" before "2": JSON keeps order).
 */
import type { JsonValue } from './chrome-policy-schema';

export const EXTENSION_ID = 'ijcnbdifibmimlhaigaciaelkihpcehh';

type Dict = { [key: string]: JsonValue };
type SchemaNode = Record<string, unknown>;

const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The Linux managed-policy file for one managed-storage value. */
export function linuxPolicyFile(value: Dict): string {
  return `${JSON.stringify({ '3rdparty': { extensions: { [EXTENSION_ID]: value } } }, null, 2)}\n`;
}

/** Machine-wide policy roots of the two browsers. */
export const REGISTRY_ROOTS = [
  { browser: 'Google Chrome', key: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Google\\Chrome' },
  { browser: 'Microsoft Edge', key: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge' },
] as const;

/** The extension's mandatory-policy key under a browser's policy root. */
export const extensionPolicyKey = (root: string): string => `${root}\\3rdparty\\extensions\\${EXTENSION_ID}\\policy`;

/** A .reg string literal: backslash and double quote escaped (regedit's REGEDIT5 syntax). */
const regString = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function regData(path: string, v: JsonValue): string {
  if (typeof v === 'string') return regString(v);
  if (typeof v === 'boolean') return `dword:${v ? '00000001' : '00000000'}`;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < -(2 ** 31) || v > 2 ** 31 - 1) throw new Error(`${path}: ${v} does not fit a REG_DWORD`);
    return `dword:${(v >>> 0).toString(16).padStart(8, '0')}`;
  }
  if (Array.isArray(v)) return regString(JSON.stringify(v));
  throw new Error(`${path}: no registry form for ${JSON.stringify(v)}`);
}

/** The key blocks for one object: its own values first, then one block per object-valued property. */
function regBlocks(key: string, value: Dict, path: string): string[] {
  const lines = [`[${key}]`];
  const nested: [string, Dict][] = [];
  for (const [name, v] of Object.entries(value)) {
    if (isDict(v)) nested.push([name, v]);
    else lines.push(`${regString(name)}=${regData(`${path}${name}`, v)}`);
  }
  const blocks = [lines.join('\r\n')];
  for (const [name, v] of nested) blocks.push(...regBlocks(`${key}\\${name}`, v, `${path}${name}.`));
  return blocks;
}

/**
 * A .reg file (REGEDIT5, CRLF) that sets `value` as the extension's policy for Chrome and Edge,
 * after deleting whatever an earlier import left under the same key.
 */
export function windowsRegFile(value: Dict, source: string): string {
  const out = [
    'Windows Registry Editor Version 5.00',
    '',
    `; Softphone Guard (extension ${EXTENSION_ID}): managed configuration for Google Chrome and`,
    `; Microsoft Edge, generated from ${source}`,
    '; by tests/unit/policy/example-policies.test.ts (UPDATE_POLICY_EXAMPLES=1 rewrites it).',
    '; Objects are subkeys; lists are REG_SZ values holding JSON; integers and booleans are REG_DWORD.',
    '; Each browser block first deletes the key, so values removed from the JSON do not linger.',
  ];
  for (const root of REGISTRY_ROOTS) {
    const key = extensionPolicyKey(root.key);
    out.push('', `; ${root.browser}`, `[-${key}]`, '', regBlocks(key, value, '').join('\r\n\r\n'));
  }
  return `${out.join('\r\n')}\r\n`;
}

// --- reading a .reg file back, the way Chrome reads the registry ------------------------------

/** REG_SZ or REG_DWORD data, as Chrome's RegistryDict holds them (a DWORD as a signed int). */
export type RegData = { type: 'sz'; value: string } | { type: 'dword'; value: number };

/** A parsed .reg file: the state of each key it leaves behind (values by name), keys in file order. */
export interface RegFile {
  keys: Map<string, Map<string, RegData>>;
  deleted: string[];
}

function parseQuoted(s: string, start: number): { text: string; end: number } {
  if (s[start] !== '"') throw new Error(`expected " at ${start} in ${s}`);
  let text = '';
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      text += s[++i] ?? '';
    } else if (c === '"') {
      return { text, end: i + 1 };
    } else {
      text += c;
    }
  }
  throw new Error(`unterminated string in ${s}`);
}

/** Parses the subset of REGEDIT5 the generated files use: key blocks, deletions, REG_SZ and REG_DWORD values. */
export function parseRegFile(text: string): RegFile {
  const lines = text.split(/\r?\n/);
  if (lines[0] !== 'Windows Registry Editor Version 5.00') throw new Error('not a REGEDIT5 file');
  const file: RegFile = { keys: new Map(), deleted: [] };
  let current: Map<string, RegData> | undefined;
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';')) continue;
    const section = /^\[(-?)(.+)\]$/.exec(line);
    if (section) {
      const key = section[2] as string;
      if (section[1]) {
        file.deleted.push(key);
        for (const k of [...file.keys.keys()]) if (k === key || k.startsWith(`${key}\\`)) file.keys.delete(k);
        current = undefined;
      } else {
        current = file.keys.get(key) ?? new Map();
        file.keys.set(key, current);
      }
      continue;
    }
    if (!current) throw new Error(`value outside a key: ${line}`);
    const name = parseQuoted(line, 0);
    if (line[name.end] !== '=') throw new Error(`expected = in ${line}`);
    const rest = line.slice(name.end + 1);
    const dword = /^dword:([0-9a-fA-F]{8})$/.exec(rest);
    if (dword) {
      current.set(name.text, { type: 'dword', value: Number.parseInt(dword[1] as string, 16) | 0 });
    } else {
      const data = parseQuoted(rest, 0);
      if (data.end !== rest.length) throw new Error(`trailing text in ${line}`);
      current.set(name.text, { type: 'sz', value: data.text });
    }
  }
  return file;
}

/** chromium registry_dict.cc ConvertRegistryValue: one registry value converted to what the schema wants, or undefined. */
function convertValue(data: RegData, schema: SchemaNode | undefined): JsonValue | undefined {
  if (!schema) return data.value; // no schema for it: Chrome keeps the raw value
  switch (schema.type) {
    case 'string':
      return data.type === 'sz' ? data.value : undefined;
    case 'integer':
      if (data.type === 'dword') return data.value;
      return /^-?\d+$/.test(data.value) ? Number.parseInt(data.value, 10) : undefined;
    case 'boolean':
      if (data.type === 'dword') return data.value !== 0;
      return /^-?\d+$/.test(data.value) ? Number.parseInt(data.value, 10) !== 0 : undefined;
    case 'array':
    case 'object': {
      if (data.type !== 'sz') return undefined;
      try {
        const parsed = JSON.parse(data.value) as JsonValue;
        const isList = Array.isArray(parsed);
        return (schema.type === 'array') === isList && (isList || isDict(parsed)) ? parsed : undefined;
      } catch {
        return undefined;
      }
    }
    default:
      return undefined;
  }
}

function subschema(schema: SchemaNode | undefined, name: string): SchemaNode | undefined {
  const properties = schema?.properties as Record<string, SchemaNode> | undefined;
  if (properties && name in properties) return properties[name];
  return schema?.additionalProperties as SchemaNode | undefined;
}

/**
 * chromium RegistryDict::ConvertToJSON for an object schema: the policy Chrome builds from the
 * key `key` of a parsed .reg file and its subkeys.
 */
export function registryToPolicy(file: RegFile, key: string, schema: SchemaNode): Dict {
  const result: Dict = {};
  for (const [name, data] of file.keys.get(key) ?? []) {
    const converted = convertValue(data, subschema(schema, name));
    if (converted !== undefined) result[name] = converted;
  }
  const prefix = `${key}\\`;
  for (const sub of file.keys.keys()) {
    if (!sub.startsWith(prefix) || sub.slice(prefix.length).includes('\\')) continue;
    const name = sub.slice(prefix.length);
    const child = subschema(schema, name);
    if (child && child.type !== 'object') continue; // lists as numbered subkeys are not generated here
    result[name] = registryToPolicy(file, sub, child ?? {});
  }
  return result;
}
