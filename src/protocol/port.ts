/**
 * The runtime-port boundary between the relay (one per monitored document) and the service
 * worker. The port is named {@link RELAY_PORT_NAME}; the worker takes the tab from
 * `port.sender.tab`, never from a message. Both sides parse with these schemas: the relay
 * runs in a content-script world that the page cannot reach, but a compromised renderer could
 * still speak on the port.
 */
import { z } from 'zod';
import { PageCommandSchema, PageObservationSchema } from './page';

/** Name of the runtime port the relay opens. */
export const RELAY_PORT_NAME = 'sg-relay';

/** Relay → worker: one page observation, already validated by the relay. */
export const RelayToWorkerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('obs'), obs: PageObservationSchema }),
  /** Sent on every (re)connect so the worker can re-push config after a restart. */
  z.strictObject({ type: z.literal('relay-hello'), href: z.string().max(2048), reconnects: z.number().int().nonnegative() }),
]);
export type RelayToWorker = z.infer<typeof RelayToWorkerSchema>;

/** Worker → relay: a command for the probe. */
export const WorkerToRelaySchema = z.strictObject({ type: z.literal('cmd'), cmd: PageCommandSchema });
export type WorkerToRelay = z.infer<typeof WorkerToRelaySchema>;
