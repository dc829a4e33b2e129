import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decideUpdateApply, documentsToReattach, REATTACH_WINDOW_MS } from '../../../src/recovery/update-apply';
import type { OrphanDocument, PendingReattach } from '../../../src/recovery/update-apply';
import { createSession } from '../../../src/session/reducer';
import type { SessionState } from '../../../src/session/types';
import { T0, TAB } from '../session/fixtures';

const QUIET = 60_000;
const idle = (key: number): SessionState => createSession(key, T0);
const inCall = (key: number): SessionState => ({ ...idle(key), media: { ...idle(key).media, iceConnectionState: 'connected' } });
const listening = (key: number, grewAt: number): SessionState => ({ ...idle(key), media: { ...idle(key).media, inboundGrewAt: grewAt } });
const doc = (key: number, extra: Partial<OrphanDocument> = {}): OrphanDocument => ({
  key,
  tabId: key,
  frameId: 0,
  documentId: `DOC${key}`,
  origin: 'https://softphone.example',
  ...extra,
});

describe('decideUpdateApply', () => {
  it('applies at once when no session is in a call, with the connected documents to reload', () => {
    expect(decideUpdateApply([idle(TAB), idle(TAB + 1)], [doc(TAB), doc(TAB + 1)], T0 + 1000, QUIET)).toEqual({
      apply: true,
      documents: [doc(TAB), doc(TAB + 1)],
    });
    expect(decideUpdateApply([], [], T0, QUIET)).toEqual({ apply: true, documents: [] });
  });

  it('waits while any live session has a connected call, and names it', () => {
    expect(decideUpdateApply([idle(TAB), inCall(TAB + 1)], [doc(TAB), doc(TAB + 1)], T0 + 1000, QUIET)).toEqual({
      apply: false,
      callsActive: [TAB + 1],
    });
  });

  it('waits while inbound audio grew within quietMs, and applies once it has been still that long', () => {
    const s = listening(TAB, T0);
    expect(decideUpdateApply([s], [doc(TAB)], T0 + QUIET - 1, QUIET)).toEqual({ apply: false, callsActive: [TAB] });
    expect(decideUpdateApply([s], [doc(TAB)], T0 + QUIET, QUIET).apply).toBe(true);
  });

  it('ignores ended sessions, even one whose last media state was a call', () => {
    const ended = { ...inCall(TAB), endedAt: T0 + 5 };
    expect(decideUpdateApply([ended], [], T0 + 10, QUIET)).toEqual({ apply: true, documents: [] });
  });

  it('never applies while a live session is in a call, whatever the others (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (calls) => {
        const sessions = calls.map((c, i) => (c ? inCall(TAB + i) : idle(TAB + i)));
        const decision = decideUpdateApply(sessions, [], T0 + 1000, QUIET);
        expect(decision.apply).toBe(!calls.includes(true));
      }),
    );
  });
});

describe('documentsToReattach', () => {
  const record = (appliedAt: number, documents: unknown[] = [doc(TAB)]): PendingReattach =>
    ({ appliedAt, fromVersion: '0.1.0', toVersion: '0.1.1', documents }) as PendingReattach;

  it('returns the recorded documents within the window', () => {
    expect(documentsToReattach(record(T0, [doc(TAB), doc(-5, { tabId: 7, frameId: 3 })]), T0 + 2000)).toEqual([
      doc(TAB),
      doc(-5, { tabId: 7, frameId: 3 }),
    ]);
    expect(documentsToReattach(record(T0), T0 + REATTACH_WINDOW_MS)).toEqual([doc(TAB)]);
  });

  it('returns none for a record older than the window, or from the future (a clock that moved)', () => {
    expect(documentsToReattach(record(T0), T0 + REATTACH_WINDOW_MS + 1)).toEqual([]);
    expect(documentsToReattach(record(T0 + 1), T0)).toEqual([]);
  });

  it('drops malformed documents and returns none for a malformed record', () => {
    expect(documentsToReattach(record(T0, [doc(TAB), { key: 'x' }, null, doc(TAB, { frameId: -1 })]), T0)).toEqual([doc(TAB)]);
    for (const bad of [
      undefined,
      null,
      'x',
      42,
      {},
      { appliedAt: 'now', documents: [] },
      { appliedAt: T0 },
      { appliedAt: NaN, documents: [] },
    ]) {
      expect(documentsToReattach(bad, T0)).toEqual([]);
    }
  });

  it('never throws, whatever is stored (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (stored) => {
        expect(Array.isArray(documentsToReattach(stored, T0))).toBe(true);
      }),
    );
  });
});
