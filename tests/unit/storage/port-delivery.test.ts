import { describe, expect, it } from 'vitest';
import { RelayToWorkerSchema, WorkerToRelaySchema } from '../../../src/protocol/port';

const close = { type: 'ws-close', at: 1, socketId: 's1', url: 'wss://x/y', code: 1006, reason: '', wasClean: false };

describe('port delivery fields', () => {
  it('accepts observations with and without a sequence number', () => {
    expect(RelayToWorkerSchema.safeParse({ type: 'obs', obs: close, seq: 1 }).success).toBe(true);
    expect(RelayToWorkerSchema.safeParse({ type: 'obs', obs: close }).success).toBe(true);
  });

  it('refuses sequence numbers that are not positive safe integers', () => {
    for (const seq of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2, '1', null]) {
      expect(RelayToWorkerSchema.safeParse({ type: 'obs', obs: close, seq }).success).toBe(false);
    }
  });

  it('accepts a random document id in the hello and refuses anything else', () => {
    const hello = { type: 'relay-hello', href: 'https://a/', reconnects: 0 };
    expect(RelayToWorkerSchema.safeParse({ ...hello, doc: '0123456789abcdef0123456789abcdef' }).success).toBe(true);
    expect(RelayToWorkerSchema.safeParse(hello).success).toBe(true);
    for (const doc of ['short', 'x'.repeat(65), '../../etc', 'a b c d e f g h']) {
      expect(RelayToWorkerSchema.safeParse({ ...hello, doc }).success).toBe(false);
    }
  });

  it('acknowledgements carry a positive sequence number and nothing else', () => {
    expect(WorkerToRelaySchema.safeParse({ type: 'ack', seq: 7 }).success).toBe(true);
    expect(WorkerToRelaySchema.safeParse({ type: 'ack', seq: 0 }).success).toBe(false);
    expect(WorkerToRelaySchema.safeParse({ type: 'ack', seq: 7, extra: 1 }).success).toBe(false);
    expect(WorkerToRelaySchema.safeParse({ type: 'cmd', cmd: { type: 'token-failed', requestId: 'r', reason: 'x' } }).success).toBe(true);
  });
});
