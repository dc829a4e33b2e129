/**
 * The runtime-port boundary between the relay (one per monitored document) and the service
 * worker. The port is named {@link RELAY_PORT_NAME}; the worker takes the tab from
 * `port.sender.tab`, never from a message. The relay runs in a content-script world that the
 * page cannot reach, but a compromised renderer could still speak on the port: the worker parses
 * everything it receives with these schemas.
 *
 * Delivery (src/storage/delivery.ts): the relay names its document with a random `doc` in
 * every `relay-hello` and numbers its observations `seq` 1, 2, 3…; the worker answers `ack`
 * with the highest `seq` it has stored (cumulative) once the store has committed it. After a
 * worker restart the relay sends the unacknowledged observations again and the worker skips
 * those it already stored, so every observation is stored exactly once (one the worker rejected
 * is never stored: a later one's `ack` covers it). Both fields are
 * optional: without them an observation is handled once, as it arrives, and not acknowledged.
 * The worker may acknowledge several observations with one `ack` (the highest `seq` stored).
 *
 * Validation: the relay gates observations by hand (type, rate, size, times: ./admit.ts) and
 * does not parse them; the worker parses each one on its own ({@link readRelayMessage}) with
 * src/protocol/page.ts `PageObservationSchema`, so one invalid observation of an `obs-batch`
 * costs only itself, re-checks the size and clamps the times again to its own clock: a
 * compromised renderer is not trusted either. The relay routes the worker's messages by their
 * shape alone (extension/relay/port-link.ts `routeWorkerMessage`); the probe checks every command by hand
 * (extension/page/command-check.ts). The schemas here are `z.lazy`, built on their first parse.
 */
import { z } from 'zod';
import { MAX_PAGE_BATCH, MAX_PAGE_MESSAGE_BYTES, PageCommandSchema, PageObservationSchema } from './page';
import type { PageCommand, PageObservation } from './page';
import { clampTimes, PAGE_CLOCK_PAST_MS } from './admit';

/** Name of the runtime port the relay opens. */
export const RELAY_PORT_NAME = 'sg-relay';

/** A relay document id: random, URL-safe, 8–64 characters. */
export const DocIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

/** An observation sequence number within one document: 1, 2, 3… */
export const SeqSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/**
 * One observation message. `O`: the observation as the side holding it knows it — the relay
 * sends what its gate admitted (./admit.ts `GatedObservation`), the worker handles what
 * {@link readRelayMessage} parsed.
 */
export interface ObsToWorker<O = PageObservation> {
  type: 'obs';
  obs: O;
  seq?: number;
}
/** Sent on every (re)connect so the worker can re-push config after a restart. */
export interface RelayHello {
  type: 'relay-hello';
  href: string;
  reconnects: number;
  doc?: string;
}
/**
 * Relay → worker messages. `obs-batch`: several observations at once, in order (what the relay
 * had queued in one task), one port message instead of one each; handled exactly as the same
 * `obs` messages one after another.
 */
export type RelayToWorker<O = PageObservation> = ObsToWorker<O> | { type: 'obs-batch'; items: ObsToWorker<O>[] } | RelayHello;
/** A relay message other than `obs-batch`: what a batch stands for, one by one. */
export type SingleRelayMessage<O = PageObservation> = ObsToWorker<O> | RelayHello;

/** An observation message as the worker first reads it: its observation not yet parsed. */
const obsEnvelope = () => z.strictObject({ type: z.literal('obs'), obs: z.unknown(), seq: SeqSchema.optional() });

/**
 * Relay → worker messages, their observations unparsed (each is parsed on its own by
 * {@link readRelayMessage}); a malformed envelope — wrong fields, a bad `seq`, an empty or
 * oversize batch — is dropped whole.
 */
export const RelayToWorkerSchema = z.lazy(() => {
  const ObsEnvelope = obsEnvelope();
  return z.discriminatedUnion('type', [
    ObsEnvelope,
    z.strictObject({ type: z.literal('obs-batch'), items: z.array(ObsEnvelope).min(1).max(MAX_PAGE_BATCH) }),
    z.strictObject({
      type: z.literal('relay-hello'),
      href: z.string().max(2048),
      reconnects: z.number().int().nonnegative(),
      doc: DocIdSchema.optional(),
    }),
  ]);
});

/** Holds the written types above equal to the schema's (the observation left unparsed), both ways: a type error otherwise. */
type Envelope = z.infer<typeof RelayToWorkerSchema>;
const typesMatchSchema: [Envelope] extends [RelayToWorker<unknown>] ? ([RelayToWorker<unknown>] extends [Envelope] ? true : false) : false =
  true;
void typesMatchSchema;

/**
 * How long before the worker's clock an observation's times may lie, ms. The relay clamps them
 * to {@link PAGE_CLOCK_PAST_MS} of the time it received them; between that and the worker's
 * receipt an observation may wait in the relay's queue while the worker restarts (reconnect
 * backoff up to 5 s, extension/relay/port-link.ts, the worker's start, then the resend of what
 * was not acknowledged), so the worker allows that much more. Later than the worker's clock by
 * more than ./admit.ts `PAGE_CLOCK_FUTURE_MS` it never allows: it receives after the relay.
 */
export const WORKER_CLOCK_PAST_MS = PAGE_CLOCK_PAST_MS + 30_000;

/**
 * One observation as the worker admits it: parsed with `PageObservationSchema` (unknown keys,
 * bounds, enumerations; the parsed copy carries no other property), at most
 * `MAX_PAGE_MESSAGE_BYTES` serialized, times clamped to `now` ({@link WORKER_CLOCK_PAST_MS}).
 * @returns null when it is not an observation
 */
export function parseObservation(raw: unknown, now: number): PageObservation | null {
  const parsed = PageObservationSchema.safeParse(raw);
  if (!parsed.success) return null;
  // The schema bounds every field, so this stringify is of bounded cost.
  if (JSON.stringify(parsed.data).length > MAX_PAGE_MESSAGE_BYTES) return null;
  return clampTimes(parsed.data, now, WORKER_CLOCK_PAST_MS);
}

/** A relay port message as the worker reads it. */
export interface ReadRelayMessage {
  /** The `obs` / `relay-hello` messages it stands for, in order, their observations parsed (an `obs-batch` unpacked). */
  messages: SingleRelayMessage[];
  /** Observations dropped because they did not parse (their siblings are kept). */
  rejected: number;
}

/**
 * Reads one relay port message on the worker: the envelope is checked whole
 * ({@link RelayToWorkerSchema}; null when it fails), each observation on its own
 * ({@link parseObservation}): an invalid one is dropped and counted, the rest kept in order.
 * @param now the worker's clock, epoch ms
 */
export function readRelayMessage(raw: unknown, now: number): ReadRelayMessage | null {
  const envelope = RelayToWorkerSchema.safeParse(raw);
  if (!envelope.success) return null;
  const message = envelope.data;
  if (message.type === 'relay-hello') return { messages: [message], rejected: 0 };
  const messages: SingleRelayMessage[] = [];
  let rejected = 0;
  for (const item of message.type === 'obs-batch' ? message.items : [message]) {
    const obs = parseObservation(item.obs, now);
    if (obs === null) rejected += 1;
    else messages.push(item.seq === undefined ? { type: 'obs', obs } : { type: 'obs', obs, seq: item.seq });
  }
  return { messages, rejected };
}

/**
 * Worker → relay: a command for the probe, or the acknowledgement of stored observations. The
 * relay does not parse these (extension/relay/port-link.ts `routeWorkerMessage`); the schema
 * states the contract and serves the tests.
 */
export const WorkerToRelaySchema = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('cmd'), cmd: PageCommandSchema }),
    /** Every observation of the document with `seq` ≤ this one is stored. */
    z.strictObject({ type: z.literal('ack'), seq: SeqSchema }),
  ]),
);
export type WorkerToRelay = { type: 'cmd'; cmd: PageCommand } | { type: 'ack'; seq: number };
