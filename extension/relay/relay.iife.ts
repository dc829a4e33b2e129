/**
 * Relay (ISOLATED world, document_start): the only door between the page and the extension.
 * Wiring only: ./relay-boot.ts takes the probe's port at document_start and loads ./relay.ts
 * on the port's first message; the gate (src/protocol/admit.ts, by hand, no schema library) and the port link (./port-link.ts) hold the logic.
 */
import { bootRelay } from './relay-boot';

bootRelay();
