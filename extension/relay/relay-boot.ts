/**
 * The relay's document_start part: it takes the probe's port (the exchange of
 * extension/page/handshake.ts, synchronous, before any page script) and listens on it.
 * The rest of the relay (./relay.ts: the gate and the runtime port) starts on the port's
 * first message — the probe's `hello`, a microtask after document_start — and handles it and
 * every later one, in order. The relay listens on nothing else: the window's messages never
 * reach it.
 */
import { ASK_EVENT, PORT_EVENT } from '../page/handshake';
import { startRelay } from './relay';

/** Relays the probe's port, starting the relay on its first message. */
function listen(port: MessagePort): void {
  let handle: ((event: MessageEvent) => void) | null = null;
  port.addEventListener('message', (event: MessageEvent) => {
    handle ??= startRelay(port);
    handle(event);
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
