/**
 * The probe's end of the page channel (src/protocol/page.ts): a `MessageChannel` whose other
 * port the relay took at document_start (handshake.ts), before any page script could exist.
 * Nothing travels on the window: the page's `message` listeners never see the probe's
 * messages, and no page script can read, forge or close the port.
 *
 * Batching: observations posted within one task go out as one array (at most
 * {@link MAX_PAGE_BATCH} per message) from a microtask, and a `pc-state` still waiting in the
 * batch is dropped for a newer one of the same connection (which goes last) unless it reports
 * a `failed` state, which the worker must see. The `hello` is the first observation. Batches
 * are flushed from a microtask, not a timer: a hidden tab (a softphone often is one) throttles
 * timers to once a second or less. Observations posted before the relay takes the port wait in
 * the port until the relay starts it.
 *
 * Commands come as `to-page` envelopes on the probe's end of the port, in arrival order, and
 * are checked by hand (command-check.ts); anything else is ignored. The port's `message` events
 * are read with the `data` getter captured at document_start, so a page that later redefines
 * `MessageEvent.prototype.data` does not see a command (a fresh token) go by.
 */
import type { MAX_PAGE_BATCH, PAGE_CHANNEL, PAGE_PROTOCOL_VERSION, PageCommand, PageObservation } from '../../src/protocol/page';
import { checkCommand } from './command-check';
import { ASK_EVENT, PORT_EVENT } from './handshake';
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
 * Hands `port` to the relay (handshake.ts): at once when the relay already listens, else when
 * it asks, as long as the document has not changed since document_start.
 */
function offerPort(natives: Natives, port: MessagePort): void {
  const { win } = natives;
  const offer = (): boolean => {
    const event = new natives.MessageEvent!(PORT_EVENT, { cancelable: true, ports: [port] });
    // dispatchEvent answers false when a listener (the relay's) cancelled the event.
    return !call<boolean>(natives.dispatchEvent, win, event);
  };
  if (offer()) return;
  let observer: MutationObserver | null = null;
  const stop = (): void => {
    call(natives.removeEventListener, win, ASK_EVENT, onAsk);
    if (observer) call(natives.mutationDisconnect, observer);
  };
  const onAsk = (event: Event): void => {
    if (!offer()) return;
    call(natives.preventDefault, event);
    stop();
  };
  call(natives.addEventListener, win, ASK_EVENT, onAsk);
  if (natives.MutationObserver && natives.document) {
    observer = new natives.MutationObserver(stop);
    call(natives.mutationObserve, observer, natives.document, { childList: true, subtree: true });
  }
}

/**
 * Opens the channel and offers its other end to the relay. Without `MessageChannel` (not in
 * any engine this extension runs on) the probe stays silent.
 * @param onCommand called for every valid command, in arrival order, asynchronously
 */
export function openChannel(natives: Natives, onCommand: (cmd: PageCommand) => void): Channel {
  const { win } = natives;
  let mine: MessagePort | null = null;
  try {
    if (
      natives.MessageChannel &&
      natives.MessageEvent &&
      natives.messageData &&
      natives.portPostMessage &&
      natives.portStart &&
      natives.addEventListener &&
      typeof natives.queueMicrotask === 'function'
    ) {
      const { port1, port2 } = new natives.MessageChannel();
      call(natives.addEventListener, port1, 'message', (event: MessageEvent) => {
        try {
          const data: unknown = call(natives.messageData, event);
          if (typeof data !== 'object' || data === null) return;
          const env = data as Record<string, unknown>;
          if (env.channel !== CHANNEL || env.dir !== 'to-page' || env.v !== VERSION) return;
          const cmd = checkCommand(env.msg);
          if (cmd) onCommand(cmd);
        } catch {
          // a command that cannot be read is ignored
        }
      });
      call(natives.portStart, port1);
      offerPort(natives, port2);
      mine = port1;
    }
  } catch {
    mine = null;
  }

  let pending: PageObservation[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const batch = pending;
    pending = [];
    // Index loops, no Array methods: an observation's URL may carry a token (ws-open), and the
    // page may have replaced `Array.prototype.slice` since document_start.
    for (let i = 0; i < batch.length; i += BATCH) {
      let part = batch;
      if (batch.length > BATCH) {
        part = [];
        for (let j = i; j < batch.length && j < i + BATCH; j++) part[j - i] = batch[j]!;
      }
      try {
        call(natives.portPostMessage, mine, part);
      } catch {
        // nothing to do: observations are best effort
      }
    }
  };
  return {
    post(obs) {
      if (!mine) return;
      try {
        let n = 0;
        for (let i = 0; i < pending.length; i++) if (!supersedes(pending[i]!, obs)) pending[n++] = pending[i]!;
        pending.length = n;
        pending[n] = obs;
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
