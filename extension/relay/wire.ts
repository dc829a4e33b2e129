/**
 * The protocol constants the relay needs before it parses anything, copied from
 * src/protocol/page.ts and src/protocol/port.ts so that loading the relay's core does not load
 * those modules, whose zod schemas are built when they load (docs/benchmarks.md, page load).
 * tests/unit/relay/wire.test.ts holds them equal to the originals.
 */

/** src/protocol/port.ts `RELAY_PORT_NAME`. */
export const RELAY_PORT_NAME = 'sg-relay';
/** src/protocol/page.ts `MAX_PAGE_BATCH`. */
export const MAX_PAGE_BATCH = 64;
