/**
 * Relay (ISOLATED world, document_start): the only door between the page and the extension.
 * Wiring only: ./relay-boot.ts listens at document_start and loads ./relay.ts on the first
 * envelope; the gate (src/protocol/admit.ts) and the port link (./port-link.ts) hold the logic.
 */
import { bootRelay } from './relay-boot';

bootRelay();
