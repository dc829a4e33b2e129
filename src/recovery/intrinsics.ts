/**
 * Built-ins the token path uses, captured when this module is evaluated: in the page probe
 * that is document_start, before any page script (docs/architecture.md, the probe↔relay
 * channel). A page that later replaces `String.prototype.slice`, `RegExp.prototype.exec`,
 * `Map.prototype.get`, `Reflect.apply` or `decodeURIComponent` never sees a fresh token go by:
 * code that handles one calls these instead of the methods, and loops by index (no `for…of`,
 * spread or destructuring of arrays, which run the page's `Array.prototype[Symbol.iterator]`).
 *
 * Template literals, `+`, `.length`, `===`, indexing and `typeof` call nothing a page can
 * replace and stay as they are.
 */

type Fn = (...args: never[]) => unknown;

export const apply = Reflect.apply;
export const construct = Reflect.construct;

const S = String.prototype;
const sSlice = S.slice;
const sIndexOf = S.indexOf;
const sCharCodeAt = S.charCodeAt;
const sCodePointAt = S.codePointAt;
const sToLowerCase = S.toLowerCase;
const reExec = RegExp.prototype.exec;
const NativeRegExp = RegExp;
const decodeUri = decodeURIComponent;
const encodeUri = encodeURIComponent;
export const fromCharCode = String.fromCharCode;
export const fromCodePoint = String.fromCodePoint;
const M = Map.prototype;
const mGet = M.get;
const mSet = M.set;
const mDelete = M.delete;
const mForEach = M.forEach;
const W = WeakMap.prototype;
const wGet = W.get;
const wSet = W.set;
const wDelete = W.delete;
const hasInstance = Function.prototype[Symbol.hasInstance];
const objectCreate = Object.create;
const objectKeys = Object.keys;
export const protoOf = Object.getPrototypeOf;
export const ObjectPrototype = Object.prototype;

export const slice = (s: string, start: number, end?: number): string => apply(sSlice, s, [start, end]) as string;
export const indexOf = (s: string, search: string, from = 0): number => apply(sIndexOf, s, [search, from]) as number;
export const includes = (s: string, search: string): boolean => indexOf(s, search) >= 0;
export const startsWith = (s: string, prefix: string): boolean => slice(s, 0, prefix.length) === prefix;
export const charCodeAt = (s: string, i: number): number => apply(sCharCodeAt, s, [i]) as number;
export const codePointAt = (s: string, i: number): number => apply(sCodePointAt, s, [i]) as number;
export const toLower = (s: string): string => apply(sToLowerCase, s, []) as string;

/** `re.exec(s)` with the native exec (no `lastIndex` state: patterns without `g`/`y`). */
export const exec = (re: RegExp, s: string): RegExpExecArray | null => apply(reExec, re, [s]) as RegExpExecArray | null;
/** `re.test(s)`, which would look `exec` up on the regular expression: the native exec instead. */
export const test = (re: RegExp, s: string): boolean => exec(re, s) !== null;
export const newRegExp = (pattern: string): RegExp => new NativeRegExp(pattern);

/** `decodeURIComponent`; throws URIError as it. */
export const decodeUriComponent = (s: string): string => decodeUri(s);
/** `encodeURIComponent`; throws URIError as it (a lone surrogate). */
export const encodeUriComponent = (s: string): string => encodeUri(s);

/** `s` split at every `sep` (non-empty), as `s.split(sep)`. */
export function split(s: string, sep: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (;;) {
    const at = indexOf(s, sep, from);
    out[out.length] = slice(s, from, at < 0 ? s.length : at);
    if (at < 0) return out;
    from = at + sep.length;
  }
}

/** `parts.join(sep)` by concatenation. */
export function join(parts: readonly string[], sep: string): string {
  let out = '';
  for (let i = 0; i < parts.length; i++) out += i === 0 ? parts[i] : `${sep}${parts[i]}`;
  return out;
}

/** `list.push(v)` by index. */
export const push = <T>(list: T[], v: T): void => {
  list[list.length] = v;
};

export const mapGet = <K, V>(m: Map<K, V>, k: K): V | undefined => apply(mGet, m, [k]) as V | undefined;
export const mapSet = <K, V>(m: Map<K, V>, k: K, v: V): void => void apply(mSet, m, [k, v]);
export const mapDelete = <K, V>(m: Map<K, V>, k: K): boolean => apply(mDelete, m, [k]) as boolean;
/** The map's values, in insertion order, as a new array. */
export function mapValues<K, V>(m: Map<K, V>): V[] {
  const out: V[] = [];
  apply(mForEach, m, [(v: V) => push(out, v)]);
  return out;
}
export const weakGet = <K extends object, V>(m: WeakMap<K, V>, k: K): V | undefined => apply(wGet, m, [k]) as V | undefined;
export const weakSet = <K extends object, V>(m: WeakMap<K, V>, k: K, v: V): void => void apply(wSet, m, [k, v]);
export const weakDelete = <K extends object, V>(m: WeakMap<K, V>, k: K): boolean => apply(wDelete, m, [k]) as boolean;

/** A copy of `list` with entry `at` set to `v` (index writes, no spread: `v` may carry a token). */
export function withAt(list: readonly unknown[], at: number, v: unknown): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < list.length; i++) out[i] = list[i];
  out[at] = v;
  return out;
}

/**
 * `v instanceof C` without `C[Symbol.hasInstance]`, which a page may define on a constructor
 * the probe shares with it (OrdinaryHasInstance, ECMA-262 §7.3.21).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const isInstance = (v: unknown, C: Function | undefined): boolean =>
  C !== undefined && (apply(hasInstance as Fn, C, [v]) as boolean);

/** A copy of `members`' own enumerable properties on an object without prototype. */
export function bare<T extends object>(members: T): T {
  const o = objectCreate(null) as T;
  const keys = objectKeys(members) as (keyof T)[];
  for (let i = 0; i < keys.length; i++) o[keys[i]!] = members[keys[i]!];
  return o;
}
