/**
 * Everything the relay parses with: the page gate (src/protocol/admit.ts) and the worker's
 * messages (src/protocol/port.ts). Loading this module builds the page protocol's zod schemas
 * (src/protocol/page.ts builds them when it loads), a few milliseconds of main-thread time, so
 * ./relay.ts loads it only when it first has something to parse (docs/benchmarks.md, page load).
 * (The bundler inlines it and initializes it on the first `import()`; nothing is fetched.)
 */
export { batchElements, createPageGate } from '../../src/protocol/admit';
export { WorkerToRelaySchema } from '../../src/protocol/port';
export { PAGE_CHANNEL, PAGE_PROTOCOL_VERSION } from '../../src/protocol/page';
