/**
 * `RTCPeerConnection` (and its alias `webkitRTCPeerConnection`): the constructor, `close()`
 * and `getStats()` are wrapped. Every connection posts `pc-state` on each ICE, connection or
 * signalling state change (its own listeners: the page's handlers are untouched) and when
 * closed (`close()` fires no state event, W3C WebRTC §4.4.1.5), when the three states differ
 * from the ones it posted last. The states of a setup on its way (ICE new/checking, connection
 * new/connecting, any signalling state but closed) are posted only when they still hold
 * {@link TRANSIENT_STATE_MS} later: a setup that connects posts its outcome, one stuck on the
 * way posts where it is stuck, and a `failed`, `disconnected`, `connected` or `closed` state
 * goes out at once. Every posted observation crosses to the relay and the worker, which is
 * most of what a setup costs the page (docs/benchmarks.md).
 *
 * While `connectionState` is `connected` and the connection carries media (a negotiated
 * transceiver that sends or receives: a data-channel-only connection has no call quality to
 * report), its stats are summarized every `statsIntervalMs` into `pc-stats`
 * (src/quality/stats-summary.ts), posted every 5 s while quality is fine and every poll
 * while it is not (src/quality/stats-reporting.ts). One timer polls every such connection.
 * After {@link QUIET_AFTER} good polls in a row a connection is polled about every
 * {@link QUIET_EVERY}th interval, and at every interval again after a poor summary or a state
 * change. A connection that only receives media is read through its receiver's `getStats()`,
 * one that only sends through its sender's: their reports hold that stream and what it
 * references, far fewer objects than the whole connection's. A softphone polls `getStats()`
 * itself, usually every second: when the page fetched a whole report of the connection since
 * the previous poll, that report is summarized and the probe asks for none. Only the stats
 * objects a summary reads are read from a report (src/quality/stats-select.ts).
 *
 * Connections not closed yet are kept by id in a weak registry (weak-registry.ts), so an org
 * switch (org-switch.ts) can close them all with the captured native `close()`; the same
 * bookkeeping as the page's own `close()` then posts their `pc-state` closed. The same registry
 * lets rung 4 give a call its microphone back (sender-reattach.ts); the fresh tracks it
 * captured are stopped when their connection closes.
 */
import { createStatsReporter, poorSummary } from '../../src/quality/stats-reporting';
import { createStatsPicker } from '../../src/quality/stats-select';
import type { StatsSource } from '../../src/quality/stats-select';
import { summarizeStats } from '../../src/quality/stats-summary';
import type { StatsEntry, StatsSample } from '../../src/quality/stats-summary';
import type { PageObservation } from '../../src/protocol/page';
import type { PeerConnectionControl, ProbeContext } from './context';
import { call, getter, method } from './natives';
import { captureTrackNatives, reattachEndedAudio } from './sender-reattach';
import { createWeakRegistry } from './weak-registry';

type PcState = Extract<PageObservation, { type: 'pc-state' }>;

/** After re-attaching a microphone, when to check whether the app replaced it with its own, ms. */
export const RELEASE_CHECK_MS = 5000;

interface Watch {
  closed: boolean;
  onClose(): void;
  /** Microphone tracks the probe captured for this connection's senders (sender-reattach.ts). */
  adopted: MediaStreamTrack[];
  /** Whether the connection is polled: the page's own whole reports are kept until its poll runs. */
  polling: boolean;
  /** The newest whole report the page's own `getStats()` gave since the previous poll, and when. */
  pageReport: RTCStatsReport | null;
  pageReportAt: number;
}

/** A polled connection, as the shared poll timer sees it. */
interface Polled {
  /** Runs one poll; `done` is called when it finished (at once or when its report came). */
  poll(done: () => void): void;
  /** A poll is running (its report has not come yet): the tick passes it by. */
  busy: boolean;
  /** Ticks to pass by before the next poll (the quiet back-off). */
  wait: number;
}

/** How this connection's own stats are read (null: not polled, it carries no media). */
type Reader = { kind: 'pc' } | { kind: 'receiver'; of: RTCRtpReceiver } | { kind: 'sender'; of: RTCRtpSender };

/**
 * States a connection passes through on its way to an outcome: ICE `new`/`checking` (or
 * `connected` while DTLS is still being set up) with connection `new`/`connecting`, and any
 * signalling state but `closed`. Their `pc-state` waits {@link TRANSIENT_STATE_MS} and goes out
 * only when the connection is still in them then.
 */
function transient(s: Pick<PcState, 'iceConnectionState' | 'connectionState' | 'signalingState'>): boolean {
  const ice = s.iceConnectionState;
  const conn = s.connectionState;
  return (
    s.signalingState !== 'closed' &&
    (conn === 'new' || conn === 'connecting') &&
    (ice === 'new' || ice === 'checking' || ice === 'connected')
  );
}

/** How long a transient state must last to be posted, ms (a loopback or LAN setup takes less). */
export const TRANSIENT_STATE_MS = 1000;

/**
 * After this many polls in a row whose summaries cross no threshold, with no state change, a
 * connection is polled every {@link QUIET_EVERY}th interval, and at the interval a good summary
 * is due to be posted (src/quality/stats-reporting.ts counts intervals: 3 + 2, two polls in
 * 5 s instead of five, and a good call's summary still goes out every 5 s), until a summary
 * crosses a threshold or its state changes: a call that degrades is seen within 3 s.
 */
export const QUIET_AFTER = 5;
export const QUIET_EVERY = 3;

/** Wraps the constructor and `close`. @throws never */
export function hookPeerConnection(ctx: ProbeContext): void {
  const { natives } = ctx;
  const Native = natives.RTCPeerConnection;
  if (!Native) return;
  const pcn = natives.pc;
  const watches = new WeakMap<RTCPeerConnection, Watch>();
  const registry = createWeakRegistry<RTCPeerConnection>(natives);
  const trackNatives = captureTrackNatives(natives.win);
  const getTransceivers = method(Native.prototype, 'getTransceivers');
  const transceiverProto = natives.win.RTCRtpTransceiver?.prototype;
  const currentDirection = getter(transceiverProto, 'currentDirection');
  const transceiverReceiver = getter(transceiverProto, 'receiver');
  const transceiverSender = getter(transceiverProto, 'sender');
  const receiverGetStats = method(natives.win.RTCRtpReceiver?.prototype, 'getStats');
  const senderGetStats = method(natives.win.RTCRtpSender?.prototype, 'getStats');
  const statsProto = natives.win.RTCStatsReport?.prototype;
  const reportGet = method(statsProto, 'get');
  const reportSize = getter(statsProto, 'size');
  const reportForEach = method(statsProto, 'forEach');

  /** Every object of the report. */
  const allOf = (report: RTCStatsReport): StatsEntry[] => {
    const entries: StatsEntry[] = [];
    call(reportForEach ?? method(Object.getPrototypeOf(report) as object, 'forEach'), report, (v: StatsEntry) => entries.push(v));
    return entries;
  };

  /** A report as the picker reads it (src/quality/stats-select.ts). */
  const sourceOf = (report: RTCStatsReport): StatsSource => ({
    size: () => call<number>(reportSize, report),
    all: () => allOf(report),
    get: (id) => call<StatsEntry | undefined>(reportGet, report, id),
  });

  /**
   * How to read the connection's stats, from its negotiated transceivers (one that sends or
   * receives carries a call's media; a data-channel-only connection has no call quality):
   * a connection whose only such transceiver receives is read through that receiver's
   * `getStats()`, one whose only such transceiver sends through that sender's. Their reports
   * hold the RTP stream and the objects it references (W3C WebRTC §8.5, the stats selection
   * algorithm: transport, selected candidate pair, codec; the sender's also the remote-inbound
   * stream), all a summary reads of such a connection, and far fewer objects than the whole
   * connection's. Any other media connection is read whole.
   */
  const readerOf = (pc: RTCPeerConnection): Reader | null => {
    if (!getTransceivers || !currentDirection) return { kind: 'pc' };
    let media = 0;
    let one: RTCRtpTransceiver | null = null;
    let dir: string | null = null;
    for (const t of call<RTCRtpTransceiver[]>(getTransceivers, pc)) {
      const d = call<string | null>(currentDirection, t);
      if (d === 'sendrecv' || d === 'sendonly' || d === 'recvonly') {
        media += 1;
        one = t;
        dir = d;
      }
    }
    if (media === 0) return null;
    if (media === 1 && one !== null) {
      if (dir === 'recvonly' && receiverGetStats && transceiverReceiver) return { kind: 'receiver', of: call(transceiverReceiver, one) };
      if (dir === 'sendonly' && senderGetStats && transceiverSender) return { kind: 'sender', of: call(transceiverSender, one) };
    }
    return { kind: 'pc' };
  };

  const states = (pc: RTCPeerConnection): Pick<PcState, 'iceConnectionState' | 'connectionState' | 'signalingState'> => ({
    iceConnectionState: call(pcn.iceConnectionState, pc),
    connectionState: call(pcn.connectionState, pc),
    signalingState: call(pcn.signalingState, pc),
  });

  // One timer polls every polled connection, every `statsIntervalMs`.
  const polled = new Set<Polled>();
  let tickTimer: number | null = null;
  const tick = (): void => {
    tickTimer = null;
    for (const p of polled) {
      if (p.busy) continue;
      if (p.wait > 0) {
        p.wait -= 1;
        continue;
      }
      p.busy = true;
      try {
        p.poll(() => {
          p.busy = false;
        });
      } catch {
        // the connection is unusable: stop polling it
        p.busy = false;
        polled.delete(p);
      }
    }
    armTick();
  };
  function armTick(): void {
    if (tickTimer === null && polled.size > 0) tickTimer = ctx.later(tick, ctx.config().statsIntervalMs);
  }

  const watch = (pc: RTCPeerConnection): void => {
    const pcId = ctx.doc.nextId('pc');
    let previous: StatsSample | null = null;
    let reader: Reader | null = null;
    /** Polls in a row whose summaries crossed no threshold. */
    let good = 0;
    /** How many intervals the next poll's summary covers (more than 1 while the call is quiet). */
    let span = 1;
    const reporter = createStatsReporter();
    const picker = reportGet && reportSize && reportForEach ? createStatsPicker() : null;
    const w: Watch = { closed: false, onClose: () => undefined, adopted: [], polling: false, pageReport: null, pageReportAt: 0 };
    /** The states last posted, and a transient one waiting to be (its timer). */
    let posted = '';
    let waiting: number | null = null;

    const summarize = (report: RTCStatsReport, at: number, intervals: number): void => {
      const entries = picker ? picker.pick(sourceOf(report)) : allOf(report);
      const { summary, sample } = summarizeStats(entries, previous);
      previous = sample;
      if (poorSummary(summary)) good = 0;
      else good += 1;
      if (reporter.shouldPost(summary, intervals)) ctx.post({ type: 'pc-stats', at, pcId, ...summary });
    };

    const p: Polled = {
      busy: false,
      wait: 0,
      poll(done) {
        const intervals = span;
        const pageReport = w.pageReport;
        w.pageReport = null;
        // A quiet call skips intervals, but never the one a good summary is due to be posted at.
        const after = (): void => {
          span = good >= QUIET_AFTER ? Math.min(QUIET_EVERY, reporter.intervalsToPost()) : 1;
          p.wait = span - 1;
          done();
        };
        if (w.closed || reader === null) return after();
        if (pageReport !== null) {
          try {
            summarize(pageReport, w.pageReportAt, intervals);
          } finally {
            after();
          }
          return;
        }
        const r = reader;
        const asked =
          r.kind === 'pc'
            ? call<Promise<RTCStatsReport>>(pcn.getStats, pc)
            : call<Promise<RTCStatsReport>>(r.kind === 'receiver' ? receiverGetStats : senderGetStats, r.of);
        // The reader may change while the report comes (a renegotiation): a report of the old one is dropped.
        // The captured `then`, one reaction for both outcomes: nothing the page patched sees the poll.
        call(
          natives.promiseThen,
          asked,
          (report: RTCStatsReport) => {
            try {
              if (!w.closed && reader === r) summarize(report, ctx.now(), intervals);
            } catch {
              // a report that cannot be read is skipped
            }
            after();
          },
          after,
        );
      },
    };

    /** Starts or stops polling after a state change; any change polls at the full rate again. */
    const updatePolling = (connected: boolean): void => {
      good = 0;
      span = 1;
      p.wait = 0;
      reader = !w.closed && connected ? readerOf(pc) : null;
      if (reader === null) {
        polled.delete(p);
        w.polling = false;
        w.pageReport = null;
        return;
      }
      w.polling = true;
      polled.add(p);
      armTick();
    };

    const send = (): void => {
      waiting = null;
      const s = states(pc);
      const key = `${s.iceConnectionState} ${s.connectionState} ${s.signalingState}`;
      if (key === posted) return;
      posted = key;
      ctx.post({ type: 'pc-state', at: ctx.now(), pcId, ...s });
    };

    const postState = (): void => {
      const s = states(pc);
      picker?.invalidate();
      if (s.connectionState === 'closed' || s.signalingState === 'closed') {
        if (w.closed) return;
        w.closed = true;
        registry.delete(pcId);
        for (const track of w.adopted.splice(0)) {
          try {
            call(trackNatives.trackStop, track);
          } catch {
            // already released
          }
        }
      }
      updatePolling(s.connectionState === 'connected');
      if (transient(s)) {
        if (waiting === null) waiting = ctx.later(send, TRANSIENT_STATE_MS);
        return;
      }
      if (waiting !== null) ctx.cancel(waiting);
      send();
    };

    w.onClose = () => {
      postState();
    };
    watches.set(pc, w);
    registry.add(pcId, pc);

    for (const type of ['iceconnectionstatechange', 'connectionstatechange', 'signalingstatechange']) {
      call(natives.addEventListener, pc, type, () => {
        try {
          postState();
        } catch {
          // best effort
        }
      });
    }
    postState();
  };

  const wrapper = ctx.disguise.replaceConstructor<typeof RTCPeerConnection>(natives.win, 'RTCPeerConnection', {
    construct(native, args, newTarget) {
      const pc = Reflect.construct(native, args, newTarget) as RTCPeerConnection;
      try {
        watch(pc);
      } catch {
        // observation only
      }
      return pc;
    },
  });
  if (wrapper === null) return;

  // The legacy alias is the same function object in Chromium; keep it the same.
  const alias = Object.getOwnPropertyDescriptor(natives.win, 'webkitRTCPeerConnection');
  if (alias?.configurable && alias.value === Native) {
    Object.defineProperty(natives.win, 'webkitRTCPeerConnection', { ...alias, value: wrapper });
  }

  ctx.disguise.replaceMethod(Native.prototype, 'close', {
    apply(native, thisArg, args) {
      const result = Reflect.apply(native, thisArg, args);
      try {
        watches.get(thisArg as RTCPeerConnection)?.onClose();
      } catch {
        // observation only
      }
      return result;
    },
  });

  // The page's own whole report (no selector) is kept for the next poll, which then asks for none.
  const promiseThen = natives.promiseThen;
  ctx.disguise.replaceMethod(Native.prototype, 'getStats', {
    apply(native, thisArg, args) {
      const result = Reflect.apply(native, thisArg, args) as unknown;
      try {
        const w = watches.get(thisArg as RTCPeerConnection);
        if (w?.polling && (args.length === 0 || args[0] == null)) {
          call(
            promiseThen,
            result,
            (report: RTCStatsReport) => {
              if (!w.polling) return;
              w.pageReport = report;
              w.pageReportAt = ctx.now();
            },
            () => undefined,
          );
        }
      } catch {
        // observation only
      }
      return result;
    },
  });

  /** Stops every adopted track that none of its connection's senders carries any more. */
  const releaseUnused = (): void => {
    for (const [, pc] of registry.entries()) {
      const w = watches.get(pc);
      if (!w || w.adopted.length === 0) continue;
      try {
        const carried = new Set<MediaStreamTrack | null>();
        for (const sender of call<RTCRtpSender[]>(trackNatives.getSenders, pc)) carried.add(call(trackNatives.senderTrack, sender));
        w.adopted = w.adopted.filter((track) => {
          if (carried.has(track)) return true;
          call(trackNatives.trackStop, track);
          return false;
        });
      } catch {
        // checked again on the next pass
      }
    }
  };

  const nativeClose = pcn.close;
  if (!nativeClose) return;
  const control: PeerConnectionControl = {
    closeAll() {
      let closed = 0;
      for (const [, pc] of registry.entries()) {
        try {
          const w = watches.get(pc);
          if (!w || w.closed || call(pcn.signalingState, pc) === 'closed') continue;
          call(nativeClose, pc);
          closed += 1;
          w.onClose();
        } catch {
          // this one stays as it is
        }
      }
      return closed;
    },
    async reattachEndedAudio() {
      const live: RTCPeerConnection[] = [];
      for (const [, pc] of registry.entries()) {
        const w = watches.get(pc);
        if (w && !w.closed) live.push(pc);
      }
      const n = await reattachEndedAudio(ctx, trackNatives, live, (pc, fresh) => {
        const w = watches.get(pc);
        if (w && !w.closed) w.adopted.push(fresh);
        else call(trackNatives.trackStop, fresh);
      });
      // An app that re-opens its own input on the `devicechange` that follows replaces the
      // probe's track: release a capture no sender carries any more.
      if (n > 0) ctx.later(releaseUnused, RELEASE_CHECK_MS);
      return n;
    },
  };
  ctx.doc.sessions.peerConnections = control;
}
