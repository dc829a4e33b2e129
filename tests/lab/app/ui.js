/**
 * Draws the app state into the page. Pure DOM writes, no decisions.
 */

/** @param {string} id @returns {HTMLElement} */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

let lastLogSeq = 0;
/** The organisations the picker lists now, as `id=name|…`, to rebuild its options only on a change. */
let orgOptionsKey = '';

const MIC_WHY = { checking: 'checking', blocked: 'permission blocked', lost: 'no working microphone' };

const CALL_TEXT = { idle: 'No call', ringing: 'Ringing', connecting: 'Connecting…', connected: 'Connected', ended: 'Ended' };

/** @param {number} n bytes */
function formatBytes(n) {
  return n < 1024 ? `${n} bytes` : `${(n / 1024).toFixed(1)} KiB`;
}

/** @param {number} ms since epoch */
function clock(ms) {
  const d = new Date(ms);
  return `${d.toLocaleTimeString('en-GB', { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * The org picker: shown once signed in, lists the agent's organisations, shows the one in use;
 * disabled while a switch runs (its value is then left as the agent picked it).
 * @param {ReturnType<typeof import('./main.js').snapshotForUi>} s
 */
function renderOrgPicker(s) {
  const picker = /** @type {HTMLSelectElement} */ ($('org'));
  $('org-picker').hidden = !(s.loggedIn && s.orgs.length > 0);
  const key = s.orgs.map((o) => `${o.id}=${o.name}`).join('|');
  if (key !== orgOptionsKey) {
    orgOptionsKey = key;
    picker.replaceChildren(...s.orgs.map((o) => new Option(o.name, o.id)));
  }
  picker.disabled = s.org.switching;
  if (!s.org.switching && s.org.id !== null && picker.value !== s.org.id) picker.value = s.org.id;
}

/**
 * @param {ReturnType<typeof import('./main.js').snapshotForUi>} s
 */
export function render(s) {
  $('agent-name').textContent = s.agent ? s.agent.name : s.loggedIn ? 'Unknown agent' : 'Signing in…';
  $('org-name').textContent = s.agent ? s.agent.orgName : '';
  renderOrgPicker(s);
  const pill = $('presence');
  pill.textContent = s.presence;
  pill.dataset.presence = s.presence;
  pill.setAttribute('aria-label', `Presence: ${s.presence}`);

  const sig = $('signalling');
  sig.textContent = s.signalling;
  sig.dataset.state = s.signalling;
  const media = $('media');
  media.textContent = s.mediaReady ? 'ready' : s.mediaFailed ? 'unavailable' : 'starting';
  media.dataset.state = s.mediaReady ? 'ready' : s.mediaFailed ? 'failed' : 'pending';

  for (const [id, enabled, muted, name] of [
    ['mic', s.micEnabled, s.micMuted, 'microphone'],
    ['speaker', s.speakerEnabled, s.speakerMuted, 'speaker'],
  ]) {
    const b = /** @type {HTMLButtonElement} */ ($(String(id)));
    b.disabled = !enabled;
    b.classList.toggle('greyed', !enabled);
    b.setAttribute('aria-pressed', String(Boolean(muted)));
    const why = name === 'microphone' && s.mediaReady && s.mic.state !== 'ready' ? ` (${MIC_WHY[s.mic.state]})` : '';
    b.title = !enabled ? `The ${name} is unavailable${why}` : muted ? `Unmute ${name}` : `Mute ${name}`;
  }

  $('call-state').textContent = CALL_TEXT[s.call.state] + (s.call.state === 'ended' && s.call.endReason ? ` (${s.call.endReason})` : '');
  $('caller').textContent = s.call.from ?? '—';
  $('inbound').textContent = formatBytes(s.call.inboundAudioBytes);
  /** @type {HTMLButtonElement} */ ($('answer')).disabled = !s.canAnswer;
  /** @type {HTMLButtonElement} */ ($('hangup')).disabled = !(s.call.state === 'connecting' || s.call.state === 'connected');
  $('call-title')
    .closest('section')
    ?.classList.toggle('ringing', s.call.state === 'ringing');
  $('call-note').textContent =
    s.call.state === 'ringing' && !s.canAnswer
      ? !s.mediaReady
        ? 'Cannot answer: media is unavailable.'
        : 'Cannot answer: signalling is down.'
      : '';

  const list = $('error-log');
  for (const e of s.log) {
    if (e.seq <= lastLogSeq) continue;
    lastLogSeq = e.seq;
    const li = document.createElement('li');
    li.dataset.kind = e.kind;
    const t = document.createElement('time');
    t.dateTime = new Date(e.at).toISOString();
    t.textContent = clock(e.at);
    li.append(t, document.createTextNode(e.text));
    list.append(li);
    if (list.children.length > 200) list.firstElementChild?.remove();
    list.scrollTop = list.scrollHeight;
  }
  $('log-empty').hidden = s.log.length > 0;

  const signin = $('signin');
  signin.hidden = !s.signinProblem;
  $('signin-text').textContent = s.signinProblem ? `Sign-in problem: ${s.signinProblem}. ` : '';
  $('load-info').textContent = `Load #${s.loadCount} · started ${new Date(s.startedAt).toLocaleTimeString('en-GB', { hour12: false })}`;
}
