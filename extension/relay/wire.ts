/**
 * The runtime port's name, copied from src/protocol/port.ts so that the relay does not load that
 * module, whose zod schemas are built when it loads (docs/benchmarks.md, page load);
 * tests/unit/relay/wire.test.ts holds it equal to the original. The page protocol's constants
 * come from src/protocol/page-wire.ts, which loads no schema.
 */
export { MAX_PAGE_BATCH } from '../../src/protocol/page-wire';

/** src/protocol/port.ts `RELAY_PORT_NAME`. */
export const RELAY_PORT_NAME = 'sg-relay';
