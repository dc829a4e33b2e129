/**
 * The probe's end of the page channel (src/protocol/page.ts): observations go out as
 * `to-ext` envelopes through the captured `window.postMessage`; `to-page` envelopes posted by
 * this window (the relay) are parsed with `PageCommandSchema` (command-parser.ts, loaded on
 * the first one), and anything that does not parse is ignored. Commands are delivered in
 * arrival order.
 */
import type { PAGE_CHANNEL, PAGE_PROTOCOL_VERSION, PageCommand, PageObservation } from '../../src/protocol/page';
import { call } from './natives';
import type { Natives } from './natives';

// The contract's values, checked against its types; importing them would build every schema.
const CHANNEL: typeof PAGE_CHANNEL = 'softphone-guard';
const VERSION: typeof PAGE_PROTOCOL_VERSION = 1;

/** Sends observations. */
export interface Channel {
  /** Posts one observation; never throws. */
  post(obs: PageObservation): void;
}

type Parser = (msg: unknown) => PageCommand | null;

/**
 * Opens the channel. `targetOrigin` is the document's origin, or `*` for opaque origins
 * (sandboxed frames, `data:`), where no origin string would match.
 * @param onCommand called for every valid command, in arrival order, asynchronously
 */
export function openChannel(natives: Natives, onCommand: (cmd: PageCommand) => void): Channel {
  const { win } = natives;
  const targetOrigin = natives.origin === 'null' ? '*' : natives.origin;
  let parser: Promise<Parser> | null = null;
  let queue: Promise<void> = Promise.resolve();

  const deliver = (msg: unknown): void => {
    parser ??= import('./command-parser').then((m) => m.parseCommand);
    const loaded = parser;
    queue = queue
      .then(() => loaded)
      .then((parse) => {
        const cmd = parse(msg);
        if (cmd) onCommand(cmd);
      })
      .catch(() => undefined);
  };

  call(natives.addEventListener, win, 'message', (event: MessageEvent) => {
    try {
      if (event.source !== win) return;
      const data: unknown = event.data;
      if (typeof data !== 'object' || data === null) return;
      const env = data as Record<string, unknown>;
      if (env.channel !== CHANNEL || env.dir !== 'to-page' || env.v !== VERSION) return;
      deliver(env.msg);
    } catch {
      // a hostile message must not break the page's own listeners
    }
  });

  return {
    post(obs) {
      try {
        call(natives.postMessage, win, { channel: CHANNEL, v: VERSION, dir: 'to-ext', msg: obs }, targetOrigin);
      } catch {
        // nothing to do: observations are best effort
      }
    },
  };
}
