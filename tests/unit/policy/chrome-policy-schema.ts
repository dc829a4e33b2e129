/**
 * A small model of how Chrome reads an extension's managed-storage schema and checks policy
 * values against it, for tests (the project has no JSON-Schema validator dependency, and a
 * generic one would not follow Chrome's dialect anyway).
 *
 * Modelled on chromium `components/policy/core/common/schema.cc`:
 * - `Schema::Parse` (what `storage.managed_schema` goes through when the extension loads):
 *   unknown attributes are ignored, known ones must have the right JSON type, every node needs
 *   a `type` Chrome knows (`array boolean integer number object string`) or a `$ref`, arrays
 *   need an `items` schema, `enum` only on string/integer and non-empty, `minimum` ≤ `maximum`,
 *   `required` names declared properties, `$ref` resolves to an `id`, the main schema is an
 *   `object` without `additionalProperties`/`patternProperties`. Any failure and Chrome does
 *   not load the extension (see tests/e2e/managed-schema.spec.ts).
 * - `Schema::Normalize(…, SCHEMA_ALLOW_UNKNOWN)` per top-level policy
 *   (`components/policy/core/common/schema_map.cc` `FilterBundle`): a value of the wrong type,
 *   outside its range/enum/pattern, an invalid list item or a missing required property makes
 *   that whole top-level policy invalid (not served to the extension); an unknown property
 *   inside an object is dropped silently; an unknown top-level policy is not served either.
 *
 * JSON numbers: Chrome's parser keeps integral values within int32 as integers; JavaScript
 * cannot tell `1` from `1.0`, so this model treats every integral number in int32 range as an
 * integer.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
type Node = Record<string, unknown>;

/** The `type` values Chrome knows (schema.cc kSchemaTypesToValueTypes). */
export const CHROME_SCHEMA_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'] as const;

type Kind = 'string' | 'boolean' | 'number' | 'list' | 'dict';

/** Attributes Chrome knows per type, with the JSON kind each must have (schema.cc kAttributesAndTypesFor*). */
export const CHROME_SCHEMA_ATTRIBUTES: Readonly<Record<string, Readonly<Record<string, Kind>>>> = {
  array: { description: 'string', id: 'string', items: 'dict', sensitiveValue: 'boolean', title: 'string', type: 'string' },
  boolean: { description: 'string', id: 'string', sensitiveValue: 'boolean', title: 'string', type: 'string' },
  integer: {
    description: 'string',
    enum: 'list',
    id: 'string',
    maximum: 'number',
    minimum: 'number',
    sensitiveValue: 'boolean',
    title: 'string',
    type: 'string',
  },
  number: { description: 'string', id: 'string', sensitiveValue: 'boolean', title: 'string', type: 'string' },
  object: {
    additionalProperties: 'dict',
    description: 'string',
    id: 'string',
    patternProperties: 'dict',
    properties: 'dict',
    required: 'list',
    sensitiveValue: 'boolean',
    title: 'string',
    type: 'string',
  },
  string: {
    description: 'string',
    enum: 'list',
    id: 'string',
    pattern: 'string',
    sensitiveValue: 'boolean',
    title: 'string',
    type: 'string',
  },
  $ref: { description: 'string', $ref: 'string', title: 'string' },
};

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const isDict = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;

function kindOf(v: unknown): Kind | 'other' {
  if (Array.isArray(v)) return 'list';
  if (isDict(v)) return 'dict';
  if (typeof v === 'string' || typeof v === 'boolean') return typeof v as Kind;
  return typeof v === 'number' && Number.isFinite(v) ? 'number' : 'other';
}

/** RE2 and JavaScript agree on the simple patterns a policy schema uses; Chrome does a partial match. */
function compile(pattern: string): RegExp | string {
  try {
    return new RegExp(pattern);
  } catch (e) {
    return `/${pattern}/ is invalid regex: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** schema.cc IsValidSchema: the structural checks, in Chrome's order, with Chrome's messages. */
function structuralError(node: Node): string | undefined {
  if ('$ref' in node) return attributeError(node, '$ref');
  if (!('type' in node)) return "Each schema must have a 'type' or '$ref'.";
  const type = node.type;
  if (typeof type !== 'string') return "Attribute 'type' must be a string.";
  if (!(CHROME_SCHEMA_TYPES as readonly string[]).includes(type)) return `Unknown type '${type}'.`;
  const attrs = attributeError(node, type);
  if (attrs) return attrs;
  if ((type === 'string' || type === 'integer') && 'enum' in node) {
    const list = node.enum;
    if (!Array.isArray(list) || list.length === 0) return "Attribute 'enum' must be a non-empty list.";
    const ok = type === 'string' ? (x: unknown) => typeof x === 'string' : isInt32;
    if (!list.every(ok)) return `Attribute 'enum' for type '${type}' contains items with invalid types`;
  }
  if (type === 'integer') {
    if (typeof node.minimum === 'number' && typeof node.maximum === 'number' && node.minimum > node.maximum) {
      return `Invalid range specified [${node.minimum};${node.maximum}].`;
    }
  } else if (type === 'array') {
    if (!isDict(node.items)) return "Schema of type 'array' must have a schema in 'items' of type dictionary.";
    return structuralError(node.items);
  } else if (type === 'object') {
    for (const field of ['properties', 'patternProperties'] as const) {
      if (!(field in node)) continue;
      for (const [key, sub] of Object.entries(node[field] as Node)) {
        if (!isDict(sub)) return `Schema for property '${key}' must be a dict.`;
        const error = structuralError(sub);
        if (error) return error;
      }
    }
    if (isDict(node.additionalProperties)) {
      const error = structuralError(node.additionalProperties);
      if (error) return error;
    }
    if (Array.isArray(node.required)) {
      const declared = isDict(node.properties) ? node.properties : {};
      for (const name of node.required) {
        if (typeof name !== 'string') return "Attribute 'required' may only contain strings.";
        if (!(name in declared)) return `Attribute 'required' contains unknown property '${name}'.`;
      }
    }
  }
  return undefined;
}

/** Known attributes must have the right JSON kind; unknown ones are ignored (kSchemaOptionsIgnoreUnknownAttributes). */
function attributeError(node: Node, type: string): string | undefined {
  const allowed = CHROME_SCHEMA_ATTRIBUTES[type] ?? {};
  for (const [attr, value] of Object.entries(node)) {
    const want = allowed[attr];
    if (!want) continue;
    const got = kindOf(value);
    if (got !== want) return `Invalid type for attribute '${attr}'`;
  }
  return undefined;
}

/** Every node of the schema (following items/properties/patternProperties/additionalProperties). */
function* nodes(node: Node): Generator<Node> {
  yield node;
  if (isDict(node.items)) yield* nodes(node.items);
  for (const field of ['properties', 'patternProperties'] as const) {
    if (isDict(node[field])) for (const sub of Object.values(node[field])) if (isDict(sub)) yield* nodes(sub);
  }
  if (isDict(node.additionalProperties)) yield* nodes(node.additionalProperties);
}

/**
 * Why Chrome would refuse to load an extension with this `storage.managed_schema`, in Chrome's
 * words (`Schema::Parse`, then `InternalStorage::ParseSchema`), or `undefined` when it loads.
 */
export function chromeSchemaLoadError(schema: unknown): string | undefined {
  if (!isDict(schema)) return 'Schema must be a JSON object';
  const structural = structuralError(schema);
  if (structural) return structural;
  if (schema.type !== 'object') return 'The main schema must have a type attribute with "object" value.';
  if ('additionalProperties' in schema || 'patternProperties' in schema) {
    return '"additionalProperties" and "patternProperties" are not supported at the main schema.';
  }
  const ids = new Set<string>();
  for (const node of nodes(schema)) {
    if (typeof node.id === 'string') {
      if (ids.has(node.id)) return `Duplicated id: ${node.id}`;
      ids.add(node.id);
    }
  }
  for (const node of nodes(schema)) {
    if (typeof node.$ref === 'string' && !ids.has(node.$ref)) return `Invalid $ref: ${node.$ref}`;
    if (node.type === 'string' && typeof node.pattern === 'string' && !('enum' in node)) {
      const re = compile(node.pattern);
      if (typeof re === 'string') return re;
    }
  }
  return undefined;
}

/** What Chrome does with one policy value. */
export interface PolicyCheck {
  /** Top-level policies Chrome drops whole (neither the extension nor chrome://policy gets them), as `path: message`. */
  invalid: string[];
  /** Properties Chrome would drop silently (unknown inside an object), as paths. */
  dropped: string[];
}

/**
 * Checks a managed-storage value (the object under `3rdparty.extensions.<id>`) the way Chrome
 * filters it before `chrome.storage.managed` sees it.
 * @throws {Error} when the schema itself does not load (see {@link chromeSchemaLoadError})
 */
export function checkPolicyValue(schema: unknown, value: unknown): PolicyCheck {
  const loadError = chromeSchemaLoadError(schema);
  if (loadError) throw new Error(`the schema does not load: ${loadError}`);
  const root = schema as Node;
  const ids = new Map<string, Node>();
  for (const node of nodes(root)) if (typeof node.id === 'string') ids.set(node.id, node);
  const out: PolicyCheck = { invalid: [], dropped: [] };
  if (!isDict(value)) {
    out.invalid.push('(root): the policy for an extension must be an object');
    return out;
  }
  const properties = isDict(root.properties) ? root.properties : {};
  for (const [key, sub] of Object.entries(value)) {
    const propertySchema = properties[key];
    if (!isDict(propertySchema)) {
      out.invalid.push(`${key}: unknown policy, not served`);
      continue;
    }
    const dropped: string[] = [];
    const error = normalize(propertySchema, sub, key, ids, dropped);
    if (error) out.invalid.push(error);
    else out.dropped.push(...dropped);
  }
  return out;
}

function resolveRef(node: Node, ids: Map<string, Node>): Node {
  let current = node;
  for (let hops = 0; typeof current.$ref === 'string'; hops++) {
    const target = ids.get(current.$ref);
    if (!target || hops > 32) throw new Error(`unresolvable $ref ${current.$ref}`);
    current = target;
  }
  return current;
}

/** schema.cc Schema::Normalize with SCHEMA_ALLOW_UNKNOWN: the first error as `path: message`, or undefined. */
function normalize(schemaNode: Node, value: unknown, path: string, ids: Map<string, Node>, dropped: string[]): string | undefined {
  const node = resolveRef(schemaNode, ids);
  const type = node.type as string;
  const mismatch = `${path}: Policy type mismatch: expected "${type}", got ${JSON.stringify(value)?.slice(0, 60)}`;
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : mismatch;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : mismatch;
    case 'integer': {
      if (!isInt32(value)) return mismatch;
      if (Array.isArray(node.enum)) return node.enum.includes(value) ? undefined : `${path}: Invalid value for integer`;
      const min = typeof node.minimum === 'number' ? node.minimum : INT32_MIN;
      const max = typeof node.maximum === 'number' ? node.maximum : INT32_MAX;
      return value >= min && value <= max ? undefined : `${path}: Invalid value for integer`;
    }
    case 'string': {
      if (typeof value !== 'string') return mismatch;
      if (Array.isArray(node.enum)) return node.enum.includes(value) ? undefined : `${path}: Invalid value for string`;
      if (typeof node.pattern === 'string') {
        const re = compile(node.pattern);
        return typeof re !== 'string' && re.test(value) ? undefined : `${path}: Invalid value for string`;
      }
      return undefined;
    }
    case 'array': {
      if (!Array.isArray(value)) return mismatch;
      for (const [i, item] of value.entries()) {
        const error = normalize(node.items as Node, item, `${path}[${i}]`, ids, dropped);
        if (error) return error;
      }
      return undefined;
    }
    case 'object': {
      if (!isDict(value)) return mismatch;
      const properties = isDict(node.properties) ? node.properties : {};
      const patterns = isDict(node.patternProperties) ? node.patternProperties : {};
      for (const [key, sub] of Object.entries(value)) {
        const matching: Node[] = [];
        if (isDict(properties[key])) matching.push(properties[key]);
        for (const [pattern, patternSchema] of Object.entries(patterns)) {
          const re = compile(pattern);
          if (typeof re !== 'string' && re.test(key) && isDict(patternSchema)) matching.push(patternSchema);
        }
        if (matching.length === 0 && isDict(node.additionalProperties)) matching.push(node.additionalProperties);
        if (matching.length === 0) {
          dropped.push(`${path}.${key}`);
          continue;
        }
        for (const m of matching) {
          const error = normalize(m, sub, `${path}.${key}`, ids, dropped);
          if (error) return error;
        }
      }
      for (const name of Array.isArray(node.required) ? (node.required as string[]) : []) {
        if (!(name in value)) return `${path}: Missing or invalid required property: ${name}`;
      }
      return undefined;
    }
    default:
      return `${path}: unsupported schema type ${String(type)}`;
  }
}

/**
 * Documentation and hygiene problems Chrome itself would let pass but an administrator reading
 * chrome://policy would trip over: a property without `title` or `description`, an attribute
 * Chrome ignores (so it restricts nothing), a restriction Chrome does not combine.
 */
export function schemaLintProblems(schema: Node): string[] {
  const out: string[] = [];
  const walk = (node: Node, path: string, isProperty: boolean): void => {
    const here = path || '(root)';
    const type = typeof node.$ref === 'string' ? '$ref' : String(node.type);
    const allowed = CHROME_SCHEMA_ATTRIBUTES[type];
    if (!allowed) {
      out.push(`${here}: type ${type} is not one Chrome knows`);
      return;
    }
    for (const attr of Object.keys(node)) {
      if (!(attr in allowed)) out.push(`${here}: attribute ${attr} is ignored by Chrome on a ${type}`);
    }
    if ('enum' in node && ('pattern' in node || 'minimum' in node || 'maximum' in node)) {
      out.push(`${here}: Chrome applies enum and ignores the other restrictions`);
    }
    if (isProperty) {
      if (typeof node.title !== 'string' || node.title.trim() === '') out.push(`${here}: no title`);
      if (typeof node.description !== 'string' || node.description.trim() === '') out.push(`${here}: no description`);
    }
    if (isDict(node.items)) walk(node.items, `${path}[]`, false);
    if (isDict(node.properties)) {
      for (const [key, sub] of Object.entries(node.properties)) {
        if (isDict(sub)) walk(sub, path ? `${path}.${key}` : key, true);
      }
    }
    if (isDict(node.additionalProperties)) walk(node.additionalProperties, `${path}{*}`, false);
  };
  walk(schema, '', false);
  return out;
}
