/**
 * Relay (ISOLATED world, document_start): the only door between the page and the extension.
 * Wiring only; the gate (src/protocol/admit.ts) and the port link (./port-link.ts) hold the logic.
 */
import { startRelay } from './relay';

startRelay();
