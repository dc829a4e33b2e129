/**
 * Transparent wrappers for native functions.
 *
 * Every wrapper is a Proxy whose target is the native itself, with only `apply` and/or
 * `construct` trapped: `name`, `length`, `prototype` (the identical object), statics
 * (`WebSocket.OPEN`, `RTCPeerConnection.generateCertificate`), own keys, descriptors and
 * `instanceof` all answer from the native, and a `new`-only constructor called without `new`
 * throws the native's own TypeError.
 *
 * V8 prints a Proxy as `function () { [native code] }`, losing the name, so
 * `Function.prototype.toString` is itself wrapped: for a wrapper it stringifies the wrapped
 * native, for anything else it is the native call, errors included. The toString wrapper is
 * one of the wrappers, so `Function.prototype.toString.toString()` is native too.
 *
 * Wrappers are installed with the descriptor attributes (writable, enumerable, configurable)
 * of the property they replace, and a prototype's `constructor` is pointed at the wrapper so
 * `WebSocket.prototype.constructor === WebSocket` still holds.
 *
 * An error leaving a wrapper, thrown or rejecting the promise it returns, carries the stack
 * the native alone would have given (stack-scrub.ts).
 */
import { call } from './natives';
import { createStackScrub } from './stack-scrub';
import type { StackScrub } from './stack-scrub';

// Function types are as wide as the natives they stand for.
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Fn = Function;

/** The traps a wrapper may define; the rest is the native's. */
export interface WrapTraps<F extends Fn> {
  apply?: (native: F, thisArg: unknown, args: unknown[]) => unknown;
  construct?: (native: F, args: unknown[], newTarget: Fn) => object;
}

/** Creates wrappers and installs them on objects. */
export interface Disguise {
  /** A Proxy of `native` with the given traps, printed by `toString` as the native. */
  wrap<F extends Fn>(native: F, traps: WrapTraps<F>): F;
  /**
   * Replaces the function-valued data property `obj[key]` by a wrapper built from its
   * current value, keeping the descriptor's attributes.
   * @returns the wrapper, or null when the property is missing, not a function, or locked
   */
  replaceMethod<F extends Fn>(obj: object, key: PropertyKey, traps: WrapTraps<F>): F | null;
  /** Same for the getter of an accessor property. */
  replaceGetter(obj: object, key: PropertyKey, traps: WrapTraps<Fn>): Fn | null;
  /** Replaces a constructor-valued property and points `prototype.constructor` at the wrapper. */
  replaceConstructor<F extends Fn>(obj: object, key: PropertyKey, traps: WrapTraps<F>): F | null;
}

/**
 * Creates the wrapper registry and installs the `Function.prototype.toString` wrapper. Call
 * at document_start, while `Function.prototype.toString` is still the native.
 * @param mark `Function.prototype.toString.call(mark.key)` answers `mark.answer` instead of
 *   the native's TypeError: how a second copy of the probe learns the window is taken without
 *   a property the page could enumerate (start-probe.ts)
 * @throws never
 */
export function createDisguise(mark?: { key: symbol; answer: string }): Disguise {
  const nativeOf = new WeakMap<object, Fn>();
  const scrub = createStackScrub();
  const promiseProto = Promise.prototype;
  const then = promiseProto.then;
  const protoOf = Object.getPrototypeOf;

  /** The native's promise, or null for anything else (never runs page code, never throws). */
  const asPromise = (value: unknown): Promise<unknown> | null => {
    if (typeof value !== 'object' || value === null) return null;
    try {
      return protoOf(value) === promiseProto ? (value as Promise<unknown>) : null;
    } catch {
      return null; // a revoked Proxy
    }
  };

  /** `trap(a, b, c)` with the page's limit raised and what leaves it scrubbed (stack-scrub.ts). */
  const guarded = <A, B, C>(s: StackScrub, trap: (a: A, b: B, c: C) => unknown, a: A, b: B, c: C): unknown => {
    const limit = s.enter();
    try {
      const result = trap(a, b, c);
      const promise = asPromise(result);
      if (promise === null) return result;
      return call(then, promise, undefined, (error: unknown) => {
        throw s.scrub(error, limit);
      });
    } catch (error) {
      throw s.scrub(error, limit);
    } finally {
      s.leave(limit);
    }
  };

  const wrap = <F extends Fn>(native: F, traps: WrapTraps<F>): F => {
    const handler: ProxyHandler<F> = {};
    const { apply, construct } = traps;
    if (apply) {
      handler.apply = scrub
        ? (target, thisArg, args) => guarded(scrub, apply, target, thisArg, args)
        : (target, thisArg, args) => apply(target, thisArg, args);
    }
    if (construct) {
      handler.construct = scrub
        ? (target, args, newTarget) => guarded(scrub, construct, target, args, newTarget) as object
        : (target, args, newTarget) => construct(target, args, newTarget);
    }
    const proxy = new Proxy(native, handler);
    nativeOf.set(proxy, native);
    return proxy;
  };

  const writable = (d: PropertyDescriptor | undefined): d is PropertyDescriptor =>
    d !== undefined && (d.configurable === true || d.writable === true);

  const replaceMethod = <F extends Fn>(obj: object, key: PropertyKey, traps: WrapTraps<F>): F | null => {
    const d = Object.getOwnPropertyDescriptor(obj, key);
    if (!writable(d) || typeof d.value !== 'function') return null;
    const wrapper = wrap(d.value as F, traps);
    if (d.configurable) Object.defineProperty(obj, key, { ...d, value: wrapper });
    else (obj as Record<PropertyKey, unknown>)[key] = wrapper;
    return wrapper;
  };

  const replaceGetter = (obj: object, key: PropertyKey, traps: WrapTraps<Fn>): Fn | null => {
    const d = Object.getOwnPropertyDescriptor(obj, key);
    if (!d?.configurable || typeof d.get !== 'function') return null;
    const wrapper = wrap(d.get, traps);
    Object.defineProperty(obj, key, { ...d, get: wrapper as () => unknown });
    return wrapper;
  };

  const replaceConstructor = <F extends Fn>(obj: object, key: PropertyKey, traps: WrapTraps<F>): F | null => {
    const d = Object.getOwnPropertyDescriptor(obj, key);
    const native = d?.value as F | undefined;
    const wrapper = replaceMethod<F>(obj, key, traps);
    if (wrapper === null || native === undefined) return wrapper;
    const proto: unknown = (native as unknown as { prototype?: unknown }).prototype;
    if (typeof proto === 'object' && proto !== null) {
      const c = Object.getOwnPropertyDescriptor(proto, 'constructor');
      if (c?.configurable && c.value === native) Object.defineProperty(proto, 'constructor', { ...c, value: wrapper });
    }
    return wrapper;
  };

  replaceMethod<Fn>(Function.prototype, 'toString', {
    apply(target, thisArg, args) {
      if (mark !== undefined && thisArg === mark.key) return mark.answer;
      let subject = thisArg;
      try {
        const n = nativeOf.get(thisArg as object);
        if (n !== undefined) subject = n;
      } catch {
        // not ours: stringify as given
      }
      return call(target, subject, ...args);
    },
  });

  return { wrap, replaceMethod, replaceGetter, replaceConstructor };
}
