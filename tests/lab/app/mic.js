/**
 * The microphone as the softphone sees it, honestly: the `microphone` permission, whether a
 * capture works, and the live call track.
 *
 * - `ready`: the permission is not denied and the last capture worked;
 * - `blocked`: the permission is `denied`, or `prompt` after it had been granted (the site
 *   setting was reset) — the app does not capture then, a prompt would interrupt the agent;
 * - `lost`: a capture failed for another reason, or the live track ended (device gone);
 * - `checking`: a capture is in progress.
 *
 * It captures again after a failure only when the permission changes back to `granted` or a
 * device appears (`devicechange` with a usable audio input listed), as real softphones do —
 * never on a timer and never on its own. Outside a call a check's tracks are stopped at once
 * (no capture indicator); in a call the new track goes to the call.
 */

/**
 * @typedef {'checking' | 'ready' | 'blocked' | 'lost'} MicState
 */

/**
 * @param {{
 *   onChange: () => void,
 *   note: (text: string) => void,
 *   callNeedsTrack: () => boolean,
 *   giveTrackToCall: (track: MediaStreamTrack) => void,
 * }} opts `callNeedsTrack`: true while a call is live and its microphone track has ended;
 *   `giveTrackToCall`: hands a fresh track to that call
 */
export function createMicrophone(opts) {
  const m = {
    /** @type {MicState} */
    state: 'checking',
    /** @type {'granted' | 'denied' | 'prompt' | 'unknown'} */
    permission: 'unknown',
    /** audio inputs the last enumeration listed with a device id */
    inputs: 0,
    /** @type {string | null} */
    lastError: null,
    /** times the microphone went from usable to blocked or lost */
    losses: 0,
  };
  let checking = false;
  let everGranted = false;
  let usable = false;
  /** @type {Set<MediaStreamTrack>} live tracks to watch for `ended` */
  const watched = new Set();

  /** @param {MicState} state */
  function set(state) {
    if (state === 'ready') usable = true;
    else if ((state === 'blocked' || state === 'lost') && usable) {
      usable = false;
      m.losses++;
    }
    m.state = state;
    opts.onChange();
  }

  async function countInputs() {
    try {
      const devices = await navigator.mediaDevices.enumerateDevices();
      m.inputs = devices.filter((d) => d.kind === 'audioinput' && d.deviceId !== '').length;
    } catch {
      m.inputs = 0;
    }
  }

  /** One capture: the only place the app calls getUserMedia outside a call setup. */
  async function check() {
    if (checking) return;
    if (m.permission === 'denied' || (m.permission === 'prompt' && everGranted)) return set('blocked');
    checking = true;
    set('checking');
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const [track] = stream.getAudioTracks();
      if (track && opts.callNeedsTrack()) {
        watch(track);
        opts.giveTrackToCall(track);
      } else {
        for (const t of stream.getTracks()) t.stop();
      }
      m.lastError = null;
      set('ready');
    } catch (e) {
      const name = /** @type {Error} */ (e).name || 'Error';
      m.lastError = name;
      opts.note(`Microphone unavailable (${name}).`);
      set(name === 'NotAllowedError' ? 'blocked' : 'lost');
    } finally {
      checking = false;
      await countInputs();
      opts.onChange();
    }
  }

  /**
   * Watches a live microphone track (the call's): when it ends, the microphone is lost.
   * @param {MediaStreamTrack} track
   */
  function watch(track) {
    watched.add(track);
    track.addEventListener('ended', () => {
      watched.delete(track);
      if (m.state === 'blocked') return;
      opts.note('Microphone track ended.');
      set('lost');
    });
  }

  async function watchPermission() {
    try {
      const status = await navigator.permissions.query({ name: /** @type {PermissionName} */ ('microphone') });
      m.permission = status.state;
      if (status.state === 'granted') everGranted = true;
      status.addEventListener('change', () => {
        m.permission = status.state;
        if (status.state === 'granted') {
          everGranted = true;
          check();
        } else if (status.state === 'denied' || everGranted) {
          opts.note(`Microphone permission ${status.state === 'denied' ? 'denied' : 'reset'}.`);
          set('blocked');
        }
      });
    } catch {
      // no Permissions API: captures alone tell
    }
  }

  navigator.mediaDevices.addEventListener('devicechange', async () => {
    await countInputs();
    if (m.state !== 'ready' && m.state !== 'checking' && m.inputs > 0) check();
    else opts.onChange();
  });

  return {
    /** The state, for the UI and the test hook. */
    get state() {
      return m.state;
    },
    /** @returns {{ state: MicState, permission: string, inputs: number, lastError: string | null, losses: number }} */
    snapshot() {
      return { ...m };
    },
    /** Reads the permission, then captures once (the start-up microphone check). */
    async start() {
      await watchPermission();
      await check();
    },
    watch,
    /**
     * The lab's `mic-revoked` fault: the device behind the live tracks is gone. The browser
     * would stop each track and fire `ended`; the lab cannot unplug a device, so the app does
     * exactly that to its own live tracks. The fake device itself stays available.
     * @returns {number} tracks ended
     */
    simulateDeviceLoss() {
      let n = 0;
      for (const track of [...watched]) {
        if (track.readyState !== 'live') continue;
        track.stop();
        track.dispatchEvent(new Event('ended'));
        n++;
      }
      opts.note(
        n > 0 ? `Microphone removed (lab fault): ${n} live track(s) ended.` : 'Microphone removed (lab fault): no live microphone track.',
      );
      return n;
    },
  };
}
