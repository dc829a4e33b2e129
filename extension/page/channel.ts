/**
 * The probe's end of the page channel (src/protocol/page.ts).
 *
 * Handshake: the probe creates a `MessageChannel` and posts its `hello` as a `to-ext` envelope
 * through the captured `window.postMessage`, transferring the channel's second port; the relay
 * keeps the port of the first `hello` it sees (the probe's, posted at document_start before any
 * page script runs). Every later observation goes over that private port: the window's other
 * `message` listeners (the page's own among them) no longer receive and deserialize each one.
 *
 * Batching: observations posted within one task go out as one array (at most
 * {@link MAX_PAGE_BATCH} per message) from a microtask, and a `pc-state` still waiting in the
 * batch is dropped for a newer one of the same connection (which goes last) unless it reports
 * a `failed` state, which the worker must see. Observations posted before the `hello` wait in
 * the port until the relay starts it, so the relay still forwards the `hello` first. Without
 * `MessageChannel` every observation goes by window message, one envelope each, which the relay
 * accepts as long as it holds no port. Batches are flushed from a microtask, not a timer: a
 * hidden tab (a softphone often is one) throttles timers to once a second or less.
 *
 * Commands come as `to-page` envelopes on the probe's end of the port (the relay sends them
 * there once it holds the other end) or, without a port, posted by this window. Once the port
 * is handed over, `to-page` envelopes on the window are ignored: the relay never sends one
 * then, so any there is forged (a token or a configuration some other script wants the probe
 * to use). Commands are parsed with `PageCommandSchema` (command-parser.ts, loaded on the first
 * one); anything that does not parse is ignored; they are delivered in arrival order. On the
 * port a command (a configuration, a fresh bearer token) reaches the probe alone, where a
 * window message is delivered to every `message` listener of the window: the page's
 * third-party scripts and other extensions' content scripts among them.
 */
import type { MAX_PAGE_BATCH, PAGE_CHANNEL, PAGE_PROTOCOL_VERSION, PageCommand, PageObservation } from '../../src/protocol/page';
import { call } from './natives';
import type { Natives } from './natives';

// The contract's values, checked against its types; importing them would build every schema.
const CHANNEL: typeof PAGE_CHANNEL = 'softphone-guard';
const VERSION: typeof PAGE_PROTOCOL_VERSION = 1;
const BATCH: typeof MAX_PAGE_BATCH = 64;

/** Sends observations. */
export interface Channel {
  /** Queues one observation for the end of the current task; never throws. */
  post(obs: PageObservation): void;
}

type Parser = (msg: unknown) => PageCommand | null;

/** True when `next` may replace `prev`, still unsent: a newer state of the same peer connection. */
function supersedes(prev: PageObservation, next: PageObservation): boolean {
  return (
    prev.type === 'pc-state' &&
    next.type === 'pc-state' &&
    prev.pcId === next.pcId &&
    prev.iceConnectionState !== 'failed' &&
    prev.connectionState !== 'failed'
  );
}

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

  const onEnvelope = (data: unknown): void => {
    if (typeof data !== 'object' || data === null) return;
    const env = data as Record<string, unknown>;
    if (env.channel !== CHANNEL || env.dir !== 'to-page' || env.v !== VERSION) return;
    deliver(env.msg);
  };

  let handedOver = false;

  call(natives.addEventListener, win, 'message', (event: MessageEvent) => {
    try {
      if (event.source !== win || handedOver) return;
      onEnvelope(event.data);
    } catch {
      // a hostile message must not break the page's own listeners
    }
  });

  const postEnvelope = (obs: PageObservation, transfer: Transferable[] = []): void => {
    call(natives.postMessage, win, { channel: CHANNEL, v: VERSION, dir: 'to-ext', msg: obs }, targetOrigin, transfer);
  };

  let ports: { mine: MessagePort; relays: MessagePort } | null = null;
  try {
    if (
      natives.MessageChannel &&
      natives.portPostMessage &&
      natives.portStart &&
      natives.addEventListener &&
      typeof natives.queueMicrotask === 'function'
    ) {
      const { port1, port2 } = new natives.MessageChannel();
      // Commands from the relay (after the hello hands it port2).
      call(natives.addEventListener, port1, 'message', (event: MessageEvent) => {
        try {
          onEnvelope(event.data);
        } catch {
          // nothing to do: an unparsable command is ignored
        }
      });
      call(natives.portStart, port1);
      ports = { mine: port1, relays: port2 };
    }
  } catch {
    ports = null;
  }

  let pending: PageObservation[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const batch = pending;
    pending = [];
    for (let i = 0; i < batch.length; i += BATCH) {
      try {
        call(natives.portPostMessage, ports?.mine, batch.length <= BATCH ? batch : batch.slice(i, i + BATCH));
      } catch {
        // nothing to do: observations are best effort
      }
    }
  };
  return {
    post(obs) {
      try {
        if (!ports) {
          postEnvelope(obs);
          return;
        }
        if (!handedOver && obs.type === 'hello') {
          // The probe's `hello` (start-probe.ts) carries the relay's end of the channel.
          handedOver = true;
          postEnvelope(obs, [ports.relays]);
          return;
        }
        const earlier = pending.findIndex((p) => supersedes(p, obs));
        if (earlier >= 0) pending.splice(earlier, 1);
        pending.push(obs);
        if (!scheduled) {
          scheduled = true;
          call(natives.queueMicrotask, win, flush);
        }
      } catch {
        // nothing to do: observations are best effort
      }
    },
  };
}
