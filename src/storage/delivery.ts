/**
 * Exactly-once storage of observations resent by a relay.
 *
 * The relay numbers the observations of its document 1, 2, 3… (`seq`, src/protocol/port.ts)
 * and keeps each until the worker acknowledges it; after a worker restart it sends the
 * unacknowledged ones again (at-least-once delivery). The worker records, per document, the
 * highest `seq` it stored — the delivery mark — in the same transaction as the events, and
 * skips any observation at or below the mark. A port delivers in order, so one number per
 * document is enough (the TCP-style cumulative acknowledgement of RFC 9293 §3.4).
 */

/** The stored mark of one relay document. */
export interface DeliveryMark {
  /** {@link deliveryKey} of the tab and document. */
  key: string;
  tabId: number;
  /** The relay's random document id (`relay-hello` `doc`). */
  doc: string;
  /** Highest sequence number stored. */
  seq: number;
  /** Epoch ms of the last update. */
  at: number;
}

/** Key of a document's mark: the tab comes from the port's sender, the document id from its relay. */
export function deliveryKey(tabId: number, doc: string): string {
  return `${tabId}/${doc}`;
}

/** True when an observation with `seq` of that document was already stored (a resend). */
export function alreadyDelivered(marks: ReadonlyMap<string, DeliveryMark>, tabId: number, doc: string, seq: number): boolean {
  const mark = marks.get(deliveryKey(tabId, doc));
  return mark !== undefined && seq <= mark.seq;
}

/** The mark after storing `seq` (marks never move back). */
export function advanceMark(previous: DeliveryMark | undefined, tabId: number, doc: string, seq: number, at: number): DeliveryMark {
  return { key: deliveryKey(tabId, doc), tabId, doc, seq: Math.max(seq, previous?.seq ?? 0), at };
}
