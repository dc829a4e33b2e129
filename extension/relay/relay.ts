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
 */
import { PAGE_CHANNEL, PAGE_PROTOCOL_VERSION } from '../../src/protocol/page';
import type { PageCommand, PageObservation } from '../../src/protocol/page';
import { batchElements, createPageGate } from '../../src/protocol/admit';
import type { AdmitResult } from '../../src/protocol/admit';
import { createPortLink } from './port-link';

/** The schema's bound on `hello.href` (src/protocol/page.ts). */
const MAX_HELLO_HREF = 2048;

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
    const obs: PageObservation =
      result.obs.type === 'hello' ? { ...result.obs, href: window.location.href.slice(0, MAX_HELLO_HREF) } : result.obs;
    link.send({ type: 'obs', obs });
  };

  return (event: MessageEvent) => {
    const elements = batchElements(event.data);
    if (!elements) return;
    const now = Date.now();
    for (const element of elements) forward(gate.admitObservation(element, now));
  };
}
