/**
 * `RTCPeerConnection` (and its alias `webkitRTCPeerConnection`): the constructor, `close()`
 * and `getStats()` are wrapped. Every connection posts `pc-state` when created, on each ICE,
 * connection or signalling state change (its own listeners: the page's handlers are
 * untouched) and when closed (`close()` fires no state event, W3C WebRTC §4.4.1.5). While
 * `connectionState` is `connected` and the connection carries media (a negotiated transceiver
 * that sends or receives: a data-channel-only connection has no call quality to report), its
 * stats are summarized every `statsIntervalMs` into `pc-stats`
 * (src/quality/stats-summary.ts), posted every 5th poll while quality is fine and every poll
 * while it is not (src/quality/stats-reporting.ts). A softphone polls `getStats()` itself,
 * usually every second: when the page fetched a whole report of the connection since the
 * previous poll, that report is summarized and the probe asks for none. Only the stats
 * objects a summary reads are read from a report (src/quality/stats-select.ts).
 *
 * Connections not closed yet are kept by id in a weak registry (weak-registry.ts), so an org
 * switch (org-switch.ts) can close them all with the captured native `close()`; the same
 * bookkeeping as the page's own `close()` then posts their `pc-state` closed. The same registry
 * lets rung 4 give a call its microphone back (sender-reattach.ts); the fresh tracks it
 * captured are stopped when their connection closes.
 */
import { createStatsReporter } from '../../src/quality/stats-reporting';
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
  /** Whether a poll is due: the page's own whole reports are kept until it runs. */
  polling: boolean;
  /** The newest whole report the page's own `getStats()` gave since the previous poll, and when. */
  pageReport: RTCStatsReport | null;
  pageReportAt: number;
}

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
  const currentDirection = getter(natives.win.RTCRtpTransceiver?.prototype, 'currentDirection');
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

  /** A negotiated transceiver that sends or receives: the connection carries a call's media. */
  const carriesMedia = (pc: RTCPeerConnection): boolean => {
    if (!getTransceivers || !currentDirection) return true;
    for (const t of call<RTCRtpTransceiver[]>(getTransceivers, pc)) {
      const d = call<string | null>(currentDirection, t);
      if (d === 'sendrecv' || d === 'sendonly' || d === 'recvonly') return true;
    }
    return false;
  };

  const states = (pc: RTCPeerConnection): Pick<PcState, 'iceConnectionState' | 'connectionState' | 'signalingState'> => ({
    iceConnectionState: call(pcn.iceConnectionState, pc),
    connectionState: call(pcn.connectionState, pc),
    signalingState: call(pcn.signalingState, pc),
  });

  const watch = (pc: RTCPeerConnection): void => {
    const pcId = ctx.doc.nextId('pc');
    let timer: number | null = null;
    let previous: StatsSample | null = null;
    const reporter = createStatsReporter();
    const picker = reportGet && reportSize && reportForEach ? createStatsPicker() : null;
    const w: Watch = { closed: false, onClose: () => undefined, adopted: [], polling: false, pageReport: null, pageReportAt: 0 };

    const summarize = (report: RTCStatsReport, at: number): void => {
      const entries = picker ? picker.pick(sourceOf(report)) : allOf(report);
      const { summary, sample } = summarizeStats(entries, previous);
      previous = sample;
      if (reporter.shouldPost(summary)) ctx.post({ type: 'pc-stats', at, pcId, ...summary });
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
      ctx.post({ type: 'pc-state', at: ctx.now(), pcId, ...s });
      if (s.connectionState === 'connected') schedule();
    };

    const poll = (): void => {
      timer = null;
      w.polling = false;
      const pageReport = w.pageReport;
      w.pageReport = null;
      try {
        if (w.closed || call(pcn.connectionState, pc) !== 'connected' || !carriesMedia(pc)) return;
        if (pageReport !== null) {
          try {
            summarize(pageReport, w.pageReportAt);
          } finally {
            schedule();
          }
          return;
        }
        call<Promise<RTCStatsReport>>(pcn.getStats, pc)
          .then((report) => {
            if (!w.closed) summarize(report, ctx.now());
          })
          .catch(() => undefined)
          .finally(schedule);
      } catch {
        // the connection is unusable: stop polling
      }
    };

    function schedule(): void {
      try {
        if (timer !== null || w.closed || call(pcn.connectionState, pc) !== 'connected' || !carriesMedia(pc)) return;
        timer = ctx.later(poll, ctx.config().statsIntervalMs);
        w.polling = true;
      } catch {
        // stop polling
      }
    }

    w.onClose = () => {
      if (timer !== null) ctx.cancel(timer);
      timer = null;
      w.polling = false;
      w.pageReport = null;
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
