/**
 * The relay's document_start part, kept tiny: it takes the probe's port (the exchange of
 * extension/page/handshake.ts, synchronous, before any page script) and listens on it.
 * The rest of the relay (./relay.ts: the gate and the runtime port) is loaded on the port's
 * first message — the probe's `hello`, a microtask after
 * document_start — and the messages that came before it is ready are handed to it in order. The relay listens
 * on nothing else: the window's messages never reach it.
 * (The bundler inlines ./relay.ts and initializes it lazily; nothing is fetched.)
 */
import { ASK_EVENT, PORT_EVENT } from '../page/handshake';

/** Port messages kept while ./relay.ts loads (the probe's first batches; a flood is cut here). */
const MAX_EARLY = 256;

/** Relays the probe's port once ./relay.ts is loaded. */
function listen(port: MessagePort): void {
  let handle: ((event: MessageEvent) => void) | null = null;
  let early: MessageEvent[] | null = null;
  port.addEventListener('message', (event: MessageEvent) => {
    if (handle) {
      handle(event);
      return;
    }
    if (early) {
      if (early.length < MAX_EARLY) early.push(event);
      return;
    }
    early = [event];
    void import('./relay').then(({ startRelay }) => {
      const ready = startRelay(port);
      for (const e of early ?? []) ready(e);
      early = null;
      handle = ready;
    });
  });
  port.start();
}

/** Takes the probe's port for this document. Call once, at document_start. */
export function bootRelay(): void {
  let taken = false;
  let observer: MutationObserver | null = null;
  const stop = (): void => {
    window.removeEventListener(PORT_EVENT, onPort);
    observer?.disconnect();
  };
  function onPort(event: Event): void {
    const port = event instanceof MessageEvent ? event.ports[0] : undefined;
    if (taken || port === undefined) return;
    taken = true;
    event.preventDefault();
    event.stopImmediatePropagation();
    stop();
    listen(port);
  }
  window.addEventListener(PORT_EVENT, onPort);
  // A probe that ran first is waiting for this: it offers its port inside this dispatch.
  window.dispatchEvent(new CustomEvent(ASK_EVENT, { cancelable: true }));
  if (taken) return;
  // The probe has not run yet; it will before the document's first node is added, or never.
  observer = new MutationObserver(stop);
  observer.observe(document, { childList: true, subtree: true });
}
