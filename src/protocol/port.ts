/**
 * The runtime-port boundary between the relay (one per monitored document) and the service
 * worker. The port is named {@link RELAY_PORT_NAME}; the worker takes the tab from
 * `port.sender.tab`, never from a message. Both sides parse with these schemas: the relay
 * runs in a content-script world that the page cannot reach, but a compromised renderer could
 * still speak on the port.
 *
 * Delivery (src/storage/delivery.ts): the relay names its document with a random `doc` in
 * every `relay-hello` and numbers its observations `seq` 1, 2, 3…; the worker answers `ack`
 * with the highest `seq` it has stored (cumulative) once the store has committed it. After a
 * worker restart the relay sends the unacknowledged observations again and the worker skips
 * those it already stored, so every observation is stored exactly once. Both fields are
 * optional: without them an observation is handled once, as it arrives, and not acknowledged.
 * The worker may acknowledge several observations with one `ack` (the highest `seq` stored).
 *
 * The two message schemas are `z.lazy`: each is built on its first parse, not when this module
 * loads, so the relay, which parses only what the worker sends, never builds the relay → worker
 * one (docs/benchmarks.md, page load). What each accepts is unchanged.
 */
import { z } from 'zod';
import { MAX_PAGE_BATCH, PageCommandSchema, PageObservationSchema } from './page';

/** Name of the runtime port the relay opens. */
export const RELAY_PORT_NAME = 'sg-relay';

/** A relay document id: random, URL-safe, 8–64 characters. */
export const DocIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

/** An observation sequence number within one document: 1, 2, 3… */
export const SeqSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Relay → worker: one page observation, already validated by the relay. */
const obsMessage = () => z.strictObject({ type: z.literal('obs'), obs: PageObservationSchema, seq: SeqSchema.optional() });
type ObsMessage = ReturnType<typeof obsMessage>;

/** Relay → worker messages. */
const relayToWorker = () => {
  const ObsMessage = obsMessage();
  return z.discriminatedUnion('type', [
    ObsMessage,
    /**
     * Several observations at once, in order (what the relay had queued in one task): one port
     * message instead of one each. Handled exactly as the same `obs` messages one after another.
     */
    z.strictObject({ type: z.literal('obs-batch'), items: z.array(ObsMessage).min(1).max(MAX_PAGE_BATCH) }),
    /** Sent on every (re)connect so the worker can re-push config after a restart. */
    z.strictObject({
      type: z.literal('relay-hello'),
      href: z.string().max(2048),
      reconnects: z.number().int().nonnegative(),
      doc: DocIdSchema.optional(),
    }),
  ]);
};
export const RelayToWorkerSchema = z.lazy(relayToWorker);
export type RelayToWorker = z.infer<typeof RelayToWorkerSchema>;
/** One observation message (alone, or an item of an `obs-batch`). */
export type ObsToWorker = z.infer<ObsMessage>;
/** A relay message other than `obs-batch`: what a batch stands for, one by one. */
export type SingleRelayMessage = Exclude<RelayToWorker, { type: 'obs-batch' }>;

/** `message` as the `obs` / `relay-hello` messages it stands for (an `obs-batch` unpacked). */
export function unpackRelayMessage(message: RelayToWorker): SingleRelayMessage[] {
  return message.type === 'obs-batch' ? message.items : [message];
}

/** Worker → relay: a command for the probe, or the acknowledgement of stored observations. */
export const WorkerToRelaySchema = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('cmd'), cmd: PageCommandSchema }),
    /** Every observation of the document with `seq` ≤ this one is stored. */
    z.strictObject({ type: z.literal('ack'), seq: SeqSchema }),
  ]),
);
export type WorkerToRelay = z.infer<typeof WorkerToRelaySchema>;
