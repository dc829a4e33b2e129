/**
 * Which probe-channel envelopes a document saw, as `dir:type` strings (`to-ext:hello`,
 * `to-page:config`), for tests that check the probe and the relay are both there and talking.
 *
 * The probe's `hello` goes on the window; the relay's commands come back on the probe's end of
 * the private `MessageChannel` the hello handed over (extension/page/channel.ts,
 * extension/relay/relay.ts). `recordEnvelopes` runs as an init script, before the probe: it
 * listens on the window and replaces `MessageChannel` by a subclass that also listens on each
 * channel's first port, the probe's end.
 */
import type { Page } from '@playwright/test';

/**
 * Init script (self-contained: Playwright serializes it): records into `window.__sgEnvelopes`,
 * and the JSON text of every message the window itself receives, whatever its origin or tag,
 * into `window.__sgWindowTexts` (what any listener of the page could read).
 */
export function recordEnvelopes(): void {
  const seen: string[] = [];
  const texts: string[] = [];
  (window as unknown as { __sgEnvelopes: string[] }).__sgEnvelopes = seen;
  (window as unknown as { __sgWindowTexts: string[] }).__sgWindowTexts = texts;
  const note = (d: unknown): void => {
    const e = d as { channel?: string; dir?: string; msg?: { type?: string } } | null;
    if (e && e.channel === 'softphone-guard') seen.push(`${e.dir}:${e.msg?.type}`);
  };
  window.addEventListener('message', (event) => {
    try {
      texts.push(JSON.stringify(event.data) ?? String(event.data));
    } catch {
      texts.push(String(event.data));
    }
    if (event.source === window) note(event.data);
  });
  const Native = window.MessageChannel;
  if (Native) {
    window.MessageChannel = class MessageChannel extends Native {
      constructor() {
        super();
        this.port1.addEventListener('message', (event) => note(event.data));
      }
    };
  }
}

/** What `recordEnvelopes` has seen in `page`'s current document, in order. */
export const envelopes = (page: Page): Promise<string[]> =>
  page.evaluate(() => [...(window as unknown as { __sgEnvelopes: string[] }).__sgEnvelopes]);

/** The JSON text of every message `page`'s window received in its current document, in order. */
export const windowMessageTexts = (page: Page): Promise<string[]> =>
  page.evaluate(() => [...(window as unknown as { __sgWindowTexts: string[] }).__sgWindowTexts]);
