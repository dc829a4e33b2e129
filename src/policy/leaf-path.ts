/**
 * Reading and writing one leaf of a configuration-shaped object by its dotted key
 * (`'retry.maxDelayMs'`, `'riskWindows'`; src/policy/resolve.ts `ConfigKey`). The objects are
 * user settings or policy values: anything at all, so reads never throw and writes copy.
 */

/** Splits a leaf key into its group and field; a top-level key has no group. */
export function splitKey(key: string): { group?: string; field: string } {
  const dot = key.indexOf('.');
  return dot < 0 ? { field: key } : { group: key.slice(0, dot), field: key.slice(dot + 1) };
}

function own(o: unknown, k: string): unknown {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  try {
    return Object.prototype.hasOwnProperty.call(o, k) ? (o as Record<string, unknown>)[k] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The value at a leaf key, or undefined when absent, unreadable, or when `root` or the group
 * is not a plain object. Own properties only. Never throws.
 */
export function getLeaf(root: unknown, key: string): unknown {
  const { group, field } = splitKey(key);
  return group === undefined ? own(root, field) : own(own(root, group), field);
}

/** Assignment that cannot reach a prototype (`__proto__` becomes an own property). */
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/**
 * A shallow copy of `root` (groups copied too) with the leaf set to `value`, or removed when
 * `value` is undefined; a group left empty is removed. A `root` that is not a plain object
 * counts as `{}`. Never throws for plain data.
 */
export function setLeaf(root: unknown, key: string, value: unknown): Record<string, unknown> {
  const base: Record<string, unknown> =
    typeof root === 'object' && root !== null && !Array.isArray(root) ? { ...(root as Record<string, unknown>) } : {};
  const { group, field } = splitKey(key);
  if (group === undefined) {
    if (value === undefined) delete base[field];
    else put(base, field, value);
    return base;
  }
  const current = own(base, group);
  const inner: Record<string, unknown> =
    typeof current === 'object' && current !== null && !Array.isArray(current) ? { ...(current as Record<string, unknown>) } : {};
  if (value === undefined) delete inner[field];
  else put(inner, field, value);
  if (Object.keys(inner).length === 0) delete base[group];
  else put(base, group, inner);
  return base;
}
