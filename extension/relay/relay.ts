/**
 * Relay between the MAIN-world probe and the service worker.
 *
 * Page → worker: the probe's batches on the private `MessagePort` it handed over at
 * document_start (extension/page/handshake.ts; src/protocol/page-wire.ts `MAX_PAGE_BATCH`), each
 * element through the page gate (src/protocol/admit.ts, by hand: an observation type, the
 * type's rate cap, the serialized size, times clamped to this clock); only admitted elements
 * are forwarded, and the service worker parses each one against the page schema
 * (src/protocol/port.ts `readRelayMessage`) — no schema library runs here, on the page's
 * renderer main thread. The relay takes the port before any page script runs and listens on
 * nothing else, so a page script can neither forge an observation nor spend the rate budget of
 * the probe's own ones. It is still checked as hostile: the probe runs in the page's world,
 * whose globals a page may have altered by the time the probe uses them. A `hello` carries the
 * document's URL as this world reads it.
 * Worker → page: commands are routed by their shape (./port-link.ts `routeWorkerMessage`) and
 * sent as `to-page` envelopes on the port, where they reach the probe alone, which checks
 * each by hand (extension/page/command-check.ts): a window message would reach every `message`
 * listener of the window, third-party scripts of the page and other extensions' content
 * scripts among them.
 *
 * Nothing here waits for the page but the page's own observations. This module opens the
 * runtime port at once (the worker answers with the probe's configuration, and its tokens come
 * the same way). The probe's first batches — its `hello` and the rest of the page's first
 * scripts — are kept, in order and bounded ({@link MAX_DEFERRED} messages, each at most
 * `MAX_PAGE_BATCH` elements), with the time each arrived, and go through the gate and onto the
 * runtime port when the main thread is first idle (at most {@link IDLE_TIMEOUT_MS} later), or
 * at once when one asks for a token; the gate then judges each by the time it arrived, as it
 * would have on arrival (docs/benchmarks.md, page load).
 */
import type { PageCommand } from '../../src/protocol/page';
import { batchElements, createPageGate } from '../../src/protocol/admit';
import type { AdmitResult } from '../../src/protocol/admit';
import { PAGE_CHANNEL, PAGE_PROTOCOL_VERSION } from '../../src/protocol/page-wire';
import { createPortLink } from './port-link';
import { MAX_PAGE_BATCH } from './wire';

/** The schema's bound on `hello.href` (src/protocol/page.ts). */
const MAX_HELLO_HREF = 2048;
/** Port messages kept before the first drain (the probe's first batches; a flood is cut here). */
export const MAX_DEFERRED = 256;
/** The longest the first observations wait for an idle main thread, ms. */
export const IDLE_TIMEOUT_MS = 50;

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
  const gate = createPageGate();

  const postToPage = (cmd: PageCommand): void => {
    probePort.postMessage({ channel: PAGE_CHANNEL, v: PAGE_PROTOCOL_VERSION, dir: 'to-page', msg: cmd });
  };

  const link = createPortLink({ onCommand: postToPage, href: () => window.location.href });

  const forward = (result: AdmitResult): void => {
    if (!result.ok) return;
    // The document's address is the relay's to say.
    const obs = result.obs.type === 'hello' ? { ...result.obs, href: window.location.href.slice(0, MAX_HELLO_HREF) } : result.obs;
    link.send({ type: 'obs', obs });
  };

  const admitBatch = (data: unknown, now: number): void => {
    const elements = batchElements(data);
    if (!elements) return;
    for (const element of elements) forward(gate.admitObservation(element, now));
  };

  /** Batches received before the first drain, with their arrival times (null once it ran). */
  let deferred: { data: unknown; at: number }[] | null = [];
  const drain = (): void => {
    const held = deferred;
    if (!held) return;
    deferred = null;
    for (const { data, at } of held) admitBatch(data, at);
  };

  return (event: MessageEvent) => {
    const data: unknown = event.data;
    const now = Date.now();
    if (!deferred) {
      admitBatch(data, now);
      return;
    }
    // Only what batchElements would take is kept (the rest it drops anyway).
    if (!Array.isArray(data) || data.length > MAX_PAGE_BATCH || deferred.length >= MAX_DEFERRED) return;
    deferred.push({ data, at: now });
    if (asksForToken(data)) drain();
    else if (deferred.length === 1) requestIdleCallback(drain, { timeout: IDLE_TIMEOUT_MS });
  };
}
