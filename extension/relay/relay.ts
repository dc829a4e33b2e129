/**
 * Relay between the MAIN-world probe and the service worker.
 *
 * Page → worker: every `window.postMessage` envelope goes through the page gate (zod schema,
 * size cap, per-type rate cap, times clamped to this clock); only admitted observations are
 * forwarded, re-serialized from the parsed copy so no extra property or prototype survives.
 * A `hello` carries the document's URL as this world reads it, whatever the page wrote.
 * Worker → page: commands are parsed again here before they are posted into the page.
 */
import { PAGE_CHANNEL, PAGE_PROTOCOL_VERSION } from '../../src/protocol/page';
import type { PageCommand } from '../../src/protocol/page';
import { createPageGate } from '../../src/protocol/admit';
import { createPortLink } from './port-link';

/** The schema's bound on `hello.href` (src/protocol/page.ts). */
const MAX_HELLO_HREF = 2048;

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
    if (!result.ok) return;
    // The page may post a `hello` of its own: the document's address is the relay's to say.
    const obs = result.obs.type === 'hello' ? { ...result.obs, href: window.location.href.slice(0, MAX_HELLO_HREF) } : result.obs;
    link.send({ type: 'obs', obs });
  });
}
