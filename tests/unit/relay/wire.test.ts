import { describe, expect, it } from 'vitest';
import { MAX_PAGE_BATCH, RELAY_PORT_NAME } from '../../../extension/relay/wire';
import * as page from '../../../src/protocol/page';
import * as port from '../../../src/protocol/port';

describe('relay wire constants', () => {
  it('equal the protocol modules they are copied from', () => {
    expect(RELAY_PORT_NAME).toBe(port.RELAY_PORT_NAME);
    expect(MAX_PAGE_BATCH).toBe(page.MAX_PAGE_BATCH);
  });
});
