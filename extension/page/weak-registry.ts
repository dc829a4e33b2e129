/**
 * Live page objects (sockets, peer connections) by the id the probe gave them, held weakly:
 * the registry never keeps an object the page has let go of alive. Where `WeakRef` is
 * missing (old engines) the objects are held strongly; the hooks delete an entry as soon as
 * its object closes, so nothing accumulates either way.
 */
import { call } from './natives';
import type { Natives } from './natives';

/** See the module comment. */
export interface WeakRegistry<T extends object> {
  add(id: string, target: T): void;
  /** The object, or undefined when unknown, deleted or collected. */
  get(id: string): T | undefined;
  delete(id: string): void;
  /** A snapshot of the live entries in insertion order; collected ones are dropped on the way. */
  entries(): Array<[string, T]>;
}

interface Holder<T> {
  deref(): T | undefined;
}

/** Creates an empty registry. @throws never */
export function createWeakRegistry<T extends object>(natives: Natives): WeakRegistry<T> {
  const held = new Map<string, Holder<T>>();
  const { WeakRef: NativeWeakRef, weakRefDeref } = natives;

  const hold = (target: T): Holder<T> => {
    if (NativeWeakRef && weakRefDeref) {
      const ref = new NativeWeakRef(target);
      // The captured deref: a page patch of WeakRef.prototype.deref changes nothing here.
      return { deref: () => call<T | undefined>(weakRefDeref, ref) };
    }
    return { deref: () => target };
  };

  const get = (id: string): T | undefined => {
    const holder = held.get(id);
    if (holder === undefined) return undefined;
    const target = holder.deref();
    if (target === undefined) held.delete(id);
    return target;
  };

  return {
    add: (id, target) => void held.set(id, hold(target)),
    get,
    delete: (id) => void held.delete(id),
    entries() {
      const live: Array<[string, T]> = [];
      for (const id of [...held.keys()]) {
        const target = get(id);
        if (target !== undefined) live.push([id, target]);
      }
      return live;
    },
  };
}
