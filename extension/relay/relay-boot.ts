/**
 * The relay's document_start part, kept tiny: it only listens. Building the page protocol's
 * zod schemas, the port link and webextension-polyfill costs the relay several milliseconds
 * of main-thread time, which at document_start would delay every page's own parser
 * (docs/benchmarks.md, page load). So the rest of the relay (./relay.ts) is loaded on the
 * first envelope for the extension — the probe's `hello`, a task after document_start — and
 * the envelopes that came before it is ready are handed to it in order.
 * (The bundler inlines ./relay.ts and initializes it lazily; nothing is fetched.)
 */
import type { PAGE_CHANNEL } from '../../src/protocol/page';

// The contract's value, checked against its type; importing it would build every schema.
const CHANNEL: typeof PAGE_CHANNEL = 'softphone-guard';

/** Envelopes kept while ./relay.ts loads (a probe posts one `hello` meanwhile; a flood is cut here). */
const MAX_EARLY = 256;

/** Starts listening for this document. Call once, at document_start. */
export function bootRelay(): void {
  let handle: ((event: MessageEvent) => void) | null = null;
  let early: MessageEvent[] | null = null;

  window.addEventListener('message', (event: MessageEvent) => {
    if (handle) {
      handle(event);
      return;
    }
    // Only this window's own posts, tagged for the extension: nothing else loads the relay.
    if (event.source !== window) return;
    const data: unknown = event.data;
    if (typeof data !== 'object' || data === null || (data as { channel?: unknown }).channel !== CHANNEL) return;
    if (early) {
      if (early.length < MAX_EARLY) early.push(event);
      return;
    }
    early = [event];
    void import('./relay').then(({ startRelay }) => {
      const ready = startRelay();
      for (const e of early ?? []) ready(e);
      early = null;
      handle = ready;
    });
  });
}
