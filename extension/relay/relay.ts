/**
 * Relay between the MAIN-world probe and the service worker.
 *
 * Page → worker: every `window.postMessage` envelope goes through the page gate (zod schema,
 * size cap, per-type rate cap); only admitted observations are forwarded, re-serialized from
 * the parsed copy so no extra property or prototype survives.
 * Worker → page: commands are parsed again here before they are posted into the page.
 */
import { PAGE_CHANNEL, PAGE_PROTOCOL_VERSION } from '../../src/protocol/page';
import type { PageCommand } from '../../src/protocol/page';
import { createPageGate } from '../../src/protocol/admit';
import { createPortLink } from './port-link';

/** Starts relaying for this document. Safe to call once per document. */
export function startRelay(): void {
  const gate = createPageGate();
  const targetOrigin = window.location.origin === 'null' ? '*' : window.location.origin;

  const postToPage = (cmd: PageCommand): void => {
    window.postMessage({ channel: PAGE_CHANNEL, v: PAGE_PROTOCOL_VERSION, dir: 'to-page', msg: cmd }, targetOrigin);
  };

  const link = createPortLink({ onCommand: postToPage, href: () => window.location.href });

  window.addEventListener('message', (event: MessageEvent) => {
    // Only this window's own posts: frames and openers have their own relays, or none.
    if (event.source !== window) return;
    const result = gate.admit(event.data, Date.now());
    if (result.ok) link.send({ type: 'obs', obs: result.obs });
  });
}
