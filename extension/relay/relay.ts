/**
 * Relay between the MAIN-world probe and the service worker.
 *
 * Page → worker: the probe's batches on the private `MessagePort` it handed over at
 * document_start (extension/page/handshake.ts; src/protocol/page.ts `MAX_PAGE_BATCH`), each
 * element through the page gate (type check, per-type rate cap, zod schema, size cap, times
 * clamped to this clock); only admitted observations are forwarded, re-serialized from the
 * parsed copy so no extra property or prototype survives. The relay takes the port before any
 * page script runs and listens on nothing else, so a page script can neither forge an
 * observation nor spend the rate budget of the probe's own ones. It is still checked as
 * hostile: the probe runs in the page's world, whose globals a page may have altered by the
 * time the probe uses them. A `hello` carries the document's URL as this world reads it.
 * Worker → page: commands are parsed again here, then sent as `to-page` envelopes on the
 * port, where they reach the probe alone: a window message would reach every `message`
 * listener of the window, third-party scripts of the page and other extensions' content
 * scripts among them.
 *
 * Nothing here waits for the page but the page's own observations. This module opens the
 * runtime port at once (the worker answers with the probe's configuration, and its tokens come
 * the same way); the parsers (./relay-parse.ts: the gate and the zod schemas, a few
 * milliseconds to build) are loaded on the first thing to parse. The probe's first batches —
 * its `hello` and the rest of the page's first scripts — are kept, in order and bounded
 * ({@link MAX_DEFERRED} messages, each at most `MAX_PAGE_BATCH` elements), with the time each
 * arrived, and go through the gate when the main thread is first idle (at most
 * {@link IDLE_TIMEOUT_MS} later), or at once when one asks for a token; the gate then judges
 * each by the time it arrived, as it would have on arrival (docs/benchmarks.md, page load).
 */
import type { PageCommand, PageObservation } from '../../src/protocol/page';
import type { AdmitResult } from '../../src/protocol/admit';
import { createPortLink } from './port-link';
import type * as RelayParse from './relay-parse';
import { MAX_PAGE_BATCH } from './wire';

/** The schema's bound on `hello.href` (src/protocol/page.ts). */
const MAX_HELLO_HREF = 2048;
/** Port messages kept before the first parse (as many as relay-boot.ts keeps while this module loads). */
export const MAX_DEFERRED = 256;
/** The longest the first observations wait for an idle main thread, ms. */
export const IDLE_TIMEOUT_MS = 50;

type Parsers = typeof RelayParse;
let parsers: Promise<Parsers> | null = null;
/** ./relay-parse.ts, loaded once. */
const loadParsers = (): Promise<Parsers> => (parsers ??= import('./relay-parse'));

/** Whether a batch (not yet checked) has a `token-needed` element: the probe waits for its answer. */
function asksForToken(batch: readonly unknown[]): boolean {
  for (const element of batch) {
    if (typeof element === 'object' && element !== null && (element as { type?: unknown }).type === 'token-needed') return true;
  }
  return false;
}

/**
 * Starts relaying for this document (connects the runtime port). Call once per document.
 * @param probePort the relay's end of the probe's channel (relay-boot.ts took it)
 * @returns the handler for the port's `message` events (relay-boot.ts calls it)
 */
export function startRelay(probePort: MessagePort): (event: MessageEvent) => void {
  let loaded: Parsers | null = null;
  let gate: ReturnType<Parsers['createPageGate']> | null = null;

  const postToPage = (cmd: PageCommand): void => {
    // A command was parsed, so the parsers are loaded.
    probePort.postMessage({ channel: loaded!.PAGE_CHANNEL, v: loaded!.PAGE_PROTOCOL_VERSION, dir: 'to-page', msg: cmd });
  };

  const link = createPortLink({
    onCommand: postToPage,
    href: () => window.location.href,
    parser: () =>
      loadParsers().then((p) => {
        loaded = p;
        return (raw: unknown) => {
          const parsed = p.WorkerToRelaySchema.safeParse(raw);
          return parsed.success ? parsed.data : null;
        };
      }),
  });

  const forward = (result: AdmitResult): void => {
    if (!result.ok) return;
    // The document's address is the relay's to say.
    const obs: PageObservation =
      result.obs.type === 'hello' ? { ...result.obs, href: window.location.href.slice(0, MAX_HELLO_HREF) } : result.obs;
    link.send({ type: 'obs', obs });
  };

  const admitBatch = (p: Parsers, data: unknown, now: number): void => {
    const elements = p.batchElements(data);
    if (!elements) return;
    gate ??= p.createPageGate();
    for (const element of elements) forward(gate.admitObservation(element, now));
  };

  /** Batches received before the first parse, with their arrival times (null once parsing began). */
  let deferred: { data: unknown; at: number }[] | null = [];
  let draining = false;
  const drain = (): void => {
    if (draining) return;
    draining = true;
    void loadParsers().then((p) => {
      loaded = p;
      for (const { data, at } of deferred ?? []) admitBatch(p, data, at);
      deferred = null;
    });
  };

  return (event: MessageEvent) => {
    const data: unknown = event.data;
    const now = Date.now();
    if (!deferred) {
      admitBatch(loaded!, data, now);
      return;
    }
    // Only what batchElements would take is kept (the rest it drops anyway).
    if (!Array.isArray(data) || data.length > MAX_PAGE_BATCH || deferred.length >= MAX_DEFERRED) return;
    deferred.push({ data, at: now });
    if (asksForToken(data)) drain();
    else if (deferred.length === 1) requestIdleCallback(drain, { timeout: IDLE_TIMEOUT_MS });
  };
}
