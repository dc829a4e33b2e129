/**
 * Relay between the MAIN-world probe and the service worker.
 *
 * Page → worker: `window.postMessage` envelopes, and batches on the private `MessagePort` the
 * probe's `hello` transferred (src/protocol/page.ts `MAX_PAGE_BATCH`), all go through the page
 * gate (type check, per-type rate cap, zod schema, size cap, times clamped to this clock); only
 * admitted observations are forwarded, re-serialized from the parsed copy so no extra property
 * or prototype survives. The relay keeps the port of the first `hello` only: the probe posts it
 * at document_start, before any page script could post one. From then on every observation of
 * the probe comes through that port, and envelopes on the window are no longer forwarded: a
 * page script can post on the window but cannot reach the probe's end of the port, so it can no
 * longer forge observations (nor spend the rate budget of the probe's own ones). Without a port
 * (a probe in a page without `MessageChannel`) window envelopes stay the channel, gated as
 * above. A `hello` carries the document's URL as this world reads it, whatever the page wrote.
 * Worker → page: commands are parsed again here, then sent as `to-page` envelopes on the
 * probe's port once the relay holds it, else (before the `hello`, or a probe without a port)
 * posted on the window. On the port a command reaches the probe alone: a fresh bearer token or
 * the configuration posted on the window would reach every `message` listener of the window,
 * third-party scripts of the page and other extensions' content scripts among them.
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
 * @returns the handler for the window's `message` events (relay-boot.ts calls it)
 */
export function startRelay(): (event: MessageEvent) => void {
  const gate = createPageGate();
  const targetOrigin = window.location.origin === 'null' ? '*' : window.location.origin;
  let probePort: MessagePort | null = null;

  const postToPage = (cmd: PageCommand): void => {
    const envelope = { channel: PAGE_CHANNEL, v: PAGE_PROTOCOL_VERSION, dir: 'to-page', msg: cmd };
    if (probePort) probePort.postMessage(envelope);
    else window.postMessage(envelope, targetOrigin);
  };

  const link = createPortLink({ onCommand: postToPage, href: () => window.location.href });

  const forward = (result: AdmitResult): void => {
    if (!result.ok) return;
    // The page may post a `hello` of its own: the document's address is the relay's to say.
    const obs: PageObservation =
      result.obs.type === 'hello' ? { ...result.obs, href: window.location.href.slice(0, MAX_HELLO_HREF) } : result.obs;
    link.send({ type: 'obs', obs });
  };

  const onBatch = (event: MessageEvent): void => {
    const elements = batchElements(event.data);
    if (!elements) return;
    const now = Date.now();
    for (const element of elements) forward(gate.admitObservation(element, now));
  };

  return (event: MessageEvent) => {
    // Only this window's own posts: frames and openers have their own relays, or none.
    if (event.source !== window) return;
    // The probe's port is held: a window envelope is not the probe's.
    if (probePort) return;
    const result = gate.admit(event.data, Date.now());
    forward(result);
    if (!result.ok || result.obs.type !== 'hello' || event.ports.length !== 1) return;
    probePort = event.ports[0]!;
    probePort.addEventListener('message', onBatch);
    probePort.start();
  };
}
