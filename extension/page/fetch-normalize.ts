/**
 * Reads `fetch(input, init)` the way the native binding does, once, so the probe's own reads
 * of the arguments cannot be seen by the page (Fetch Standard §5.4 / WebIDL §3.2: `input` is a
 * `Request` or converted with ToString once; `init` is a `RequestInit` dictionary whose
 * members are each read once with [[Get]], in the binding's order).
 *
 * Without this, an input object's `toString` ran twice (the probe's read and the native's),
 * and an init's getters ran once per probe read on top of the native's. So:
 * - an input that is neither a string nor a Request (a `URL`, any object) is converted here
 *   and the native gets the string;
 * - an init with an accessor property, or one that is not a plain object (a class instance,
 *   a Proxy), is replaced by a data-only copy made by reading each `RequestInit` member once,
 *   in the order the native reads them (learnt from the native at start);
 * - when a conversion throws, the native gets a stand-in that throws the same error at its
 *   first read, so the page's promise rejects with its own error object, as without the probe.
 * The common call (`fetch('/url')`, `fetch(url, {method, headers, body})` with data
 * properties, `fetch(request)`) passes through untouched, at the cost of a `typeof` and a
 * descriptor look-up per own key of the init.
 */
import { call } from './natives';
import type { Natives } from './natives';

/**
 * `RequestInit` members (Fetch Standard §5.4, plus Chromium's own), in lexicographic order as
 * WebIDL converts dictionaries; used only when the native's order cannot be learnt.
 */
const FALLBACK_MEMBERS = [
  'body',
  'cache',
  'credentials',
  'duplex',
  'headers',
  'integrity',
  'keepalive',
  'method',
  'mode',
  'priority',
  'redirect',
  'referrer',
  'referrerPolicy',
  'signal',
  'window',
];

/** Normalizes one call's arguments; see the module comment. */
export type FetchArgsNormalizer = (args: unknown[]) => unknown[];

/** The members the native binding reads from a `RequestInit`, in its order. */
function learnMembers(natives: Natives): string[] {
  const seen: string[] = [];
  try {
    if (natives.Request && natives.Proxy) {
      const spy = new natives.Proxy(
        {},
        {
          get(_target, key) {
            if (typeof key === 'string' && !seen.includes(key)) seen.push(key);
            return undefined;
          },
        },
      );
      new natives.Request('data:,', spy as RequestInit);
    }
  } catch {
    // keep what was seen
  }
  return seen.length > 0 ? seen : FALLBACK_MEMBERS;
}

/** An object whose first read throws `error`: the native rejects with the page's own error. */
const thrower = (error: unknown, member: string): object =>
  Object.defineProperty({}, member, {
    enumerable: true,
    get() {
      throw error;
    },
  });

/**
 * Creates the normalizer (learns the member order once). @throws never
 */
export function createFetchArgsNormalizer(natives: Natives): FetchArgsNormalizer {
  const members = learnMembers(natives);
  const first = members[0] ?? 'body';
  const { requestUrl } = natives;

  const isRequest = (v: unknown): boolean => {
    if (typeof v !== 'object' || v === null) return false;
    if (natives.Request && v instanceof natives.Request) return true;
    // The common non-Request object, answered without the brand check's exception.
    if (natives.URL && v instanceof natives.URL) return false;
    if (!requestUrl) return false;
    try {
      call(requestUrl, v);
      return true;
    } catch {
      return false;
    }
  };

  /** A plain object with data properties only can be read by the probe without a trace. */
  const readsAreSilent = (init: object): boolean => {
    const proto: unknown = Object.getPrototypeOf(init);
    if (proto !== Object.prototype && proto !== null) return false;
    for (const key of Reflect.ownKeys(init)) {
      const d = Object.getOwnPropertyDescriptor(init, key);
      if (d !== undefined && !('value' in d)) return false;
    }
    return true;
  };

  return (args) => {
    if (args.length === 0) return args;
    let input = args[0];
    let init = args[1];
    let changed = false;
    if (typeof input !== 'string' && !isRequest(input)) {
      try {
        input = `${input as string}`;
      } catch (error) {
        // Conversion runs before the init is read: the native throws and reads nothing else.
        return [
          {
            toString: () => {
              throw error;
            },
          },
          ...args.slice(1),
        ];
      }
      changed = true;
    }
    if (args.length >= 2 && typeof init === 'object' && init !== null && !readsAreSilent(init)) {
      const source = init as Record<string, unknown>;
      const copy: Record<string, unknown> = {};
      try {
        for (const key of members) {
          const value = source[key];
          if (value !== undefined) copy[key] = value;
        }
        init = copy;
      } catch (error) {
        init = thrower(error, first);
      }
      changed = true;
    }
    if (!changed) return args;
    return args.length >= 2 ? [input, init, ...args.slice(2)] : [input];
  };
}
