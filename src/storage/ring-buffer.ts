/**
 * A bounded first-in-first-out buffer: the event store's memory fallback keeps the newest
 * `capacity` events and counts the ones it had to drop.
 */
export class RingBuffer<T> {
  readonly #items: (T | undefined)[];
  #start = 0;
  #size = 0;
  #dropped = 0;

  /** @throws RangeError when `capacity` is not a positive integer */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#items = new Array<T | undefined>(capacity);
  }

  /** Appends; when full, the oldest item is dropped. @returns true when one was dropped */
  push(item: T): boolean {
    if (this.#size < this.capacity) {
      this.#items[(this.#start + this.#size) % this.capacity] = item;
      this.#size += 1;
      return false;
    }
    this.#items[this.#start] = item;
    this.#start = (this.#start + 1) % this.capacity;
    this.#dropped += 1;
    return true;
  }

  /** Items held now. */
  get size(): number {
    return this.#size;
  }

  /** Items dropped since creation (or the last {@link clear}). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#size; i += 1) out.push(this.#items[(this.#start + i) % this.capacity] as T);
    return out;
  }

  /** Newest first, at most `limit`, those matching `keep`. */
  newest(limit: number, keep: (item: T) => boolean = () => true): T[] {
    const out: T[] = [];
    for (let i = this.#size - 1; i >= 0 && out.length < limit; i -= 1) {
      const item = this.#items[(this.#start + i) % this.capacity] as T;
      if (keep(item)) out.push(item);
    }
    return out;
  }

  /** Empties the buffer and resets the drop count. */
  clear(): void {
    this.#items.fill(undefined);
    this.#start = 0;
    this.#size = 0;
    this.#dropped = 0;
  }
}
