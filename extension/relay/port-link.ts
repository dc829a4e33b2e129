/**
 * The relay's runtime port to the service worker, kept alive across worker restarts.
 *
 * MV3 stops the worker when idle (docs/architecture.md §6) and the port disconnects; the link reconnects
 * with backoff (100 ms doubling to 5 s), says `relay-hello` on every connect so the worker
 * re-pushes configuration and tokens, and queues observations while disconnected (at most
 * {@link MAX_QUEUED}; oldest dropped first) so a restart loses nothing that fits the queue.
 * Observations sent within one task leave as one `obs-batch` port message (src/protocol/port.ts).
 * A `token-needed` stays outstanding until the worker answers it; a worker stopped in the
 * middle of a refresh never will, so outstanding requests are sent again to the next worker
 * (for at most {@link OUTSTANDING_TTL_MS}, the probe's longest wait).
 *
 * Exactly-once storage (src/protocol/port.ts, src/storage/delivery.ts): observations carry
 * `seq` 1, 2, 3… of this document (`doc` in the hello). Once the worker has acknowledged one,
 * sent observations are kept until acknowledged (at most {@link MAX_QUEUED}) and the
 * unacknowledged ones are sent again, in order, to the next worker, which skips those it
 * already stored; a message the dying worker received but had not committed is not lost.
 *
 * The port is opened with `chrome.runtime.connect`, not webextension-polyfill: the link uses
 * nothing the polyfill adds (no promise-returning call), and loading the polyfill in every
 * document, before the page's first scripts, costs main-thread time (docs/benchmarks.md, page load).
 * The worker's messages are routed by their shape alone ({@link routeWorkerMessage}), not
 * parsed: the worker is trusted, and the probe checks every command by hand
 * (extension/page/command-check.ts). Nothing here loads a schema library.
 */
import type { ObsToWorker, RelayToWorker, SingleRelayMessage, WorkerToRelay } from '../../src/protocol/port';
import type { PageCommand } from '../../src/protocol/page';
import type { GatedObservation } from '../../src/protocol/admit';
import { MAX_PAGE_BATCH, RELAY_PORT_NAME } from './wire';

/** What the relay sends one by one: its observations as the gate admitted them (src/protocol/admit.ts). */
type Single = SingleRelayMessage<GatedObservation>;

/**
 * How the relay routes a worker message (src/protocol/port.ts `WorkerToRelaySchema` is the
 * contract), by its shape alone: the link needs only `type`, `seq` and the command's `type` and
 * `requestId`, and the probe checks the whole command.
 * @returns an `ack` with a positive safe-integer `seq`, a `cmd` whose `cmd` is an object with a
 *   string `type`, or null (dropped)
 */
export function routeWorkerMessage(raw: unknown): WorkerToRelay | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const message = raw as { type?: unknown; seq?: unknown; cmd?: unknown };
  if (message.type === 'ack') {
    const { seq } = message;
    return typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0 ? { type: 'ack', seq } : null;
  }
  if (message.type !== 'cmd') return null;
  const { cmd } = message;
  if (typeof cmd !== 'object' || cmd === null || typeof (cmd as { type?: unknown }).type !== 'string') return null;
  return { type: 'cmd', cmd: cmd as PageCommand };
}

/** Observations kept while the worker is away. */
export const MAX_QUEUED = 1000;
const RECONNECT_MIN_MS = 100;
/** How long an unanswered `token-needed` is worth sending again, ms. */
export const OUTSTANDING_TTL_MS = 15_000;
const MAX_OUTSTANDING = 64;
const RECONNECT_MAX_MS = 5000;

export interface PortLink {
  /** Sends at the end of the current task (with whatever else was sent in it), or queues until the port is back. */
  send(message: Single): void;
}

/**
 * The next port message from the head of `queue`: consecutive observations (at most
 * {@link MAX_PAGE_BATCH}) as one `obs-batch`, anything else alone. @returns the message and how many queue entries it carries
 */
function nextMessage(queue: readonly Single[]): { message: RelayToWorker<GatedObservation>; count: number } {
  let count = 0;
  while (count < queue.length && count < MAX_PAGE_BATCH && queue[count]!.type === 'obs') count++;
  if (count <= 1) return { message: queue[0]!, count: 1 };
  return { message: { type: 'obs-batch', items: queue.slice(0, count) as ObsToWorker<GatedObservation>[] }, count };
}

/**
 * @param opts.onCommand called with each command the worker sends (routed by shape; the probe checks it)
 * @param opts.href current document URL, for `relay-hello`
 */
export function createPortLink(opts: { onCommand: (cmd: PageCommand) => void; href: () => string }): PortLink {
  let port: chrome.runtime.Port | null = null;
  let reconnects = 0;
  let delay = RECONNECT_MIN_MS;
  let dead = false;
  const queue: Single[] = [];
  const outstanding = new Map<string, { message: Single; at: number }>();
  // getRandomValues, not randomUUID: the latter needs a secure context, and softphones may be on http.
  const doc = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  let nextSeq = 1;
  /** Sent observations awaiting the worker's `ack`, oldest first. */
  const unacked: ObsToWorker<GatedObservation>[] = [];
  /** True once a worker acknowledged: only then are unacknowledged observations resent. */
  let acking = false;

  const noteAck = (seq: number): void => {
    acking = true;
    while (unacked.length > 0 && (unacked[0]!.seq ?? 0) <= seq) unacked.shift();
  };

  const requeueUnacked = (): void => {
    if (!acking) return;
    const resend = unacked.splice(0).filter((m) => !queue.includes(m));
    queue.unshift(...resend);
  };

  const noteAnswer = (cmd: PageCommand): void => {
    if (cmd.type === 'token' && cmd.requestId === undefined) outstanding.clear();
    else if (cmd.type === 'token' || cmd.type === 'token-failed') outstanding.delete(cmd.requestId ?? '');
  };

  const resendOutstanding = (): void => {
    const now = Date.now();
    for (const [id, entry] of outstanding) {
      if (now - entry.at > OUTSTANDING_TTL_MS) outstanding.delete(id);
      else if (!queue.includes(entry.message)) queue.push(entry.message);
    }
  };

  const receive = (message: WorkerToRelay): void => {
    if (message.type === 'ack') {
      noteAck(message.seq);
      return;
    }
    noteAnswer(message.cmd);
    opts.onCommand(message.cmd);
  };
  const onWorkerMessage = (raw: unknown): void => {
    const message = routeWorkerMessage(raw);
    if (message) receive(message);
  };

  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    while (port && queue.length > 0) {
      const { message, count } = nextMessage(queue);
      try {
        port.postMessage(message);
        for (const sent of queue.splice(0, count)) {
          if (sent.type !== 'obs') continue;
          unacked.push(sent);
          if (unacked.length > MAX_QUEUED) unacked.shift();
        }
      } catch {
        port = null;
        scheduleReconnect();
      }
    }
  };
  const scheduleFlush = (): void => {
    if (flushScheduled) return;
    flushScheduled = true;
    queueMicrotask(flush);
  };

  const scheduleReconnect = (): void => {
    if (dead) return;
    setTimeout(connect, delay);
    delay = Math.min(RECONNECT_MAX_MS, delay * 2);
  };

  function connect(): void {
    if (dead || port) return;
    let p: chrome.runtime.Port;
    try {
      p = chrome.runtime.connect({ name: RELAY_PORT_NAME });
    } catch {
      // "Extension context invalidated": the extension was updated or removed; stop quietly.
      dead = true;
      return;
    }
    port = p;
    p.onMessage.addListener((raw: unknown) => onWorkerMessage(raw));
    p.onDisconnect.addListener(() => {
      if (port === p) port = null;
      reconnects += 1;
      scheduleReconnect();
    });
    try {
      p.postMessage({ type: 'relay-hello', href: opts.href().slice(0, 2048), reconnects, doc } satisfies RelayToWorker<GatedObservation>);
      delay = RECONNECT_MIN_MS;
      if (reconnects > 0) {
        requeueUnacked();
        resendOutstanding();
      }
    } catch {
      port = null;
      scheduleReconnect();
      return;
    }
    flush();
  }

  connect();
  return {
    send(input) {
      if (dead) return;
      const message: Single = input.type === 'obs' ? { ...input, seq: nextSeq++ } : input;
      if (message.type === 'obs' && message.obs.type === 'token-needed' && typeof message.obs.requestId === 'string') {
        if (outstanding.size >= MAX_OUTSTANDING) outstanding.delete(outstanding.keys().next().value ?? '');
        outstanding.set(message.obs.requestId, { message, at: Date.now() });
      }
      queue.push(message);
      if (queue.length > MAX_QUEUED) queue.shift();
      scheduleFlush();
    },
  };
}
