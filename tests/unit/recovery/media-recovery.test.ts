import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decideMediaRecovery,
  GRANT_SETTLE_MS,
  GRANT_WINDOW_MS,
  MAX_GRANTS_PER_HOUR,
  MAX_REACQUIRES,
  REACQUIRE_ANSWER_MS,
  REACQUIRE_RETRY_MS,
} from '../../../src/recovery/media-recovery';
import type { MediaRecoveryDecision } from '../../../src/recovery/media-recovery';
import { DEFAULT_CONFIG } from '../../../src/policy/schema';
import type { Config } from '../../../src/policy/schema';
import type { SessionEvent } from '../../../src/session/reducer';
import type { SessionState } from '../../../src/session/types';
import { ev, run, s } from '../session/fixtures';

const media = (m: Partial<Config['media']>): Config => ({ ...DEFAULT_CONFIG, media: { ...DEFAULT_CONFIG.media, ...m } });
const config = DEFAULT_CONFIG;
const state = (events: SessionEvent[]): SessionState => run(events).state;
/**
 * `mayRestore` as the worker computes it (src/recovery/media-origin.ts `microphoneRestoreRule`)
 * for an origin seen granted before: true unless `media.grantMicrophone` is false.
 */
const decide = (
  session: SessionState,
  now: number,
  cfg: Config = config,
  recentGrants: number[] = [],
  mayRestore = cfg.media.grantMicrophone !== false,
): MediaRecoveryDecision => decideMediaRecovery({ session, config: cfg, now, recentGrants, mayRestore });

const granted = ev.permission(s(0), 'granted');
const blocked = (): SessionState => state([granted, ev.permission(s(10), 'denied')]);

describe('rung 4 decision: the microphone is blocked', () => {
  it('grants when policy allows, as soon as the permission is denied or reset', () => {
    expect(decide(blocked(), s(10))).toEqual({ act: 'grant' });
    expect(decide(state([granted, ev.permission(s(10), 'prompt')]), s(10))).toEqual({ act: 'grant' });
    expect(decide(state([ev.gum(s(10), false, 'NotAllowedError')]), s(10))).toEqual({ act: 'grant' });
  });

  it('never grants with media.grantMicrophone false: says so once, then nothing', () => {
    const off = media({ grantMicrophone: false });
    expect(decide(blocked(), s(10), off)).toEqual({ act: 'grant-refused', reason: 'not-allowed' });
    const said = run([{ type: 'mic-grant', at: s(10), outcome: 'not-allowed' }], undefined, blocked()).state;
    for (const t of [s(11), s(60), s(3600)]) expect(decide(said, t, off)).toEqual({ act: 'none' });
  });

  it("leaves the agent's block alone where restoring is not allowed (never seen granted, not named): says so once", () => {
    const agentBlocked = state([ev.permission(s(10), 'denied')]);
    expect(decide(agentBlocked, s(10), config, [], false)).toEqual({ act: 'grant-refused', reason: 'not-allowed' });
    const said = run([{ type: 'mic-grant', at: s(10), outcome: 'not-allowed' }], undefined, agentBlocked).state;
    expect(said.media.micBlockedBy).toBe('policy');
    expect(said.health).toBe('down');
    expect(said.healthReason).toMatch(/^Microphone blocked in this browser's site settings\./);
    for (const t of [s(11), s(60), s(3600)]) expect(decide(said, t, config, [], false)).toEqual({ act: 'none' });
    // Named later by policy (or seen granted): restored.
    expect(decide(said, s(20), config, [], true)).toEqual({ act: 'grant' });
  });

  it('grants once policy is switched on after it refused', () => {
    const said = run([{ type: 'mic-grant', at: s(10), outcome: 'not-allowed' }], undefined, blocked()).state;
    expect(decide(said, s(20))).toEqual({ act: 'grant' });
  });

  it('re-primes right after a grant, then reports a grant that did not help once', () => {
    const afterGrant = run([{ type: 'mic-grant', at: s(10), outcome: 'ok' }], undefined, blocked()).state;
    expect(decide(afterGrant, s(10))).toEqual({ act: 'reacquire' });
    const asked = run([{ type: 'media-reacquire', at: s(10) }], undefined, afterGrant).state;
    expect(decide(asked, s(10) + GRANT_SETTLE_MS - 1)).toEqual({ act: 'none' });
    expect(decide(asked, s(10) + GRANT_SETTLE_MS)).toEqual({ act: 'grant-ineffective' });
    const reported = run([{ type: 'mic-grant', at: s(16), outcome: 'failed', detail: 'still blocked' }], undefined, asked).state;
    expect(decide(reported, s(100))).toEqual({ act: 'none' });
  });

  it('waits while a grant is under way, and grants once more when one was left pending', () => {
    const underWay = run([{ type: 'mic-grant', at: s(10), outcome: 'pending' }], undefined, blocked()).state;
    expect(decide(underWay, s(10) + GRANT_SETTLE_MS - 1)).toEqual({ act: 'none' });
    expect(decide(underWay, s(10) + GRANT_SETTLE_MS)).toEqual({ act: 'grant' });
  });

  it('does not re-prime after a grant with media.reacquireOnLoss off', () => {
    const cfg = media({ reacquireOnLoss: false });
    const afterGrant = run([{ type: 'mic-grant', at: s(10), outcome: 'ok' }], undefined, blocked()).state;
    expect(decide(afterGrant, s(11), cfg)).toEqual({ act: 'none' });
    expect(decide(afterGrant, s(10) + GRANT_SETTLE_MS, cfg)).toEqual({ act: 'grant-ineffective' });
  });

  it('does not try again after the browser refused, nor for a page that is not a softphone page', () => {
    for (const outcome of ['failed', 'not-monitored'] as const) {
      const refused = run([{ type: 'mic-grant', at: s(10), outcome }], undefined, blocked()).state;
      for (const t of [s(11), s(600)]) expect(decide(refused, t)).toEqual({ act: 'none' });
    }
  });

  it(`stops after ${MAX_GRANTS_PER_HOUR} grants of the origin within an hour, says so once, and grants again when the hour has passed`, () => {
    const grants = Array.from({ length: MAX_GRANTS_PER_HOUR }, (_, k) => s(k));
    expect(decide(blocked(), s(10), config, grants)).toEqual({ act: 'grant-refused', reason: 'limited' });
    expect(decide(blocked(), s(10), config, grants.slice(1))).toEqual({ act: 'grant' });
    const said = run([{ type: 'mic-grant', at: s(10), outcome: 'limited' }], undefined, blocked()).state;
    expect(decide(said, s(20), config, grants)).toEqual({ act: 'none' });
    expect(decide(said, s(0) + GRANT_WINDOW_MS, config, grants)).toEqual({ act: 'grant' });
  });
});

describe('rung 4 decision: the permission is granted', () => {
  const ended = (): SessionState => state([granted, ev.trackEnded(s(10))]);

  it('re-primes an ended track at once', () => {
    expect(decide(ended(), s(10))).toEqual({ act: 'reacquire' });
  });

  it('re-primes a permission loss once the permission is back (granted by someone else)', () => {
    const back = run([ev.permission(s(20), 'granted')], undefined, blocked()).state;
    expect(decide(back, s(20))).toEqual({ act: 'reacquire' });
  });

  it(`waits for the answer, retries after ${REACQUIRE_ANSWER_MS / 1000} s without one or ${REACQUIRE_RETRY_MS / 1000} s after a failure, at most ${MAX_REACQUIRES} times`, () => {
    let st = run([{ type: 'media-reacquire', at: s(10) }], undefined, ended()).state;
    expect(decide(st, s(10) + REACQUIRE_ANSWER_MS - 1)).toEqual({ act: 'none' });
    expect(decide(st, s(10) + REACQUIRE_ANSWER_MS)).toEqual({ act: 'reacquire' });
    st = run(
      [
        { type: 'media-reacquire', at: s(30) },
        { type: 'media-reacquired', at: s(31), ok: false, errorName: 'NotReadableError', audioInputs: 0 },
      ],
      undefined,
      st,
    ).state;
    expect(decide(st, s(31))).toEqual({ act: 'none' });
    expect(decide(st, s(30) + REACQUIRE_RETRY_MS)).toEqual({ act: 'reacquire' });
    st = run([{ type: 'media-reacquire', at: s(50) }, ev.tick(s(51))], undefined, st).state;
    expect(st.incidents[0]?.steps.filter((x) => x.action === 'media-reacquire')).toHaveLength(MAX_REACQUIRES);
    expect(decide(st, s(3600))).toEqual({ act: 'none' });
  });

  it('does nothing with media.reacquireOnLoss off', () => {
    expect(decide(ended(), s(10), media({ reacquireOnLoss: false }))).toEqual({ act: 'none' });
  });
});

describe('rung 4 decision: nothing to do', () => {
  it('without an open microphone incident, for an ended session, and once resolved', () => {
    expect(decide(state([granted, ev.gum(s(1), true)]), s(2))).toEqual({ act: 'none' });
    expect(decide({ ...blocked(), endedAt: s(11) }, s(12))).toEqual({ act: 'none' });
    const recovered = run(
      [
        { type: 'mic-grant', at: s(10), outcome: 'ok' },
        { type: 'media-reacquire', at: s(10) },
        ev.permission(s(10), 'granted'),
        { type: 'media-reacquired', at: s(11), ok: true, audioInputs: 1 },
      ],
      undefined,
      blocked(),
    ).state;
    expect(recovered.incidents[0]?.resolvedAt).toBe(s(11));
    expect(decide(recovered, s(12))).toEqual({ act: 'none' });
  });

  it('never asks for a capture while the permission would prompt or is denied', () => {
    const events = fc.array(
      fc.oneof(
        fc.constantFrom('granted', 'denied', 'prompt').map((p) => (at: number) => ev.permission(at, p as 'granted' | 'denied' | 'prompt')),
        fc.constant((at: number) => ev.trackEnded(at)),
        fc.constant((at: number) => ev.gum(at, false, 'NotAllowedError')),
        fc
          .constantFrom('ok', 'failed', 'not-allowed', 'limited')
          .map((o) => (at: number): SessionEvent => ({ type: 'mic-grant', at, outcome: o as 'ok' })),
        fc.constant((at: number): SessionEvent => ({ type: 'media-reacquire', at })),
      ),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(events, fc.boolean(), fc.boolean(), (makers, grant, reacquire) => {
        const st = state(makers.map((make, k) => make(s(k))));
        const d = decide(st, s(makers.length + 30), media({ grantMicrophone: grant, reacquireOnLoss: reacquire }));
        const permission = st.media.micPermission;
        // A re-prime while blocked only ever follows a grant of this very incident.
        if (d.act === 'reacquire' && (permission === 'denied' || permission === 'prompt')) {
          expect(
            st.incidents.some((i) => i.resolvedAt === undefined && i.steps.some((x) => x.action === 'mic-grant' && x.outcome === 'ok')),
          ).toBe(true);
        }
        if (!grant) expect(d.act).not.toBe('grant');
        if (!reacquire) expect(d.act).not.toBe('reacquire');
      }),
    );
  });
});

describe('rung 4 decision: an embedded softphone (a frame of another site’s page)', () => {
  const embed: SessionEvent = { type: 'document', at: s(0), frameId: 11, embedderOrigin: 'https://crm.test' };
  const embeddedBlocked = (): SessionState => state([embed, granted, ev.permission(s(10), 'denied')]);

  it('refuses to grant, reason embedded, whatever media.grantMicrophone says', () => {
    for (const cfg of [config, media({ grantMicrophone: true }), media({ grantMicrophone: false })]) {
      expect(decide(embeddedBlocked(), s(10), cfg)).toEqual({ act: 'grant-refused', reason: 'embedded' });
    }
    // The same blocked session at top level (frame 0 clears embedded) is granted.
    const top = run([{ type: 'document', at: s(11), frameId: 0 }], undefined, embeddedBlocked()).state;
    expect(decide(top, s(11))).toEqual({ act: 'grant' });
  });

  it('says so once: the reducer records micBlockedBy embedded, then nothing more', () => {
    const said = run([{ type: 'mic-grant', at: s(10), outcome: 'embedded' }], undefined, embeddedBlocked()).state;
    expect(said.media.micBlockedBy).toBe('embedded');
    expect(said.health).toBe('down');
    expect(said.healthReason).toMatch(/embedded in another page/);
    for (const cfg of [config, media({ grantMicrophone: false })]) {
      for (const t of [s(11), s(60), s(3600)]) expect(decide(said, t, cfg)).toEqual({ act: 'none' });
    }
  });

  it('never grants within the hourly limit either: the limit is not what decides', () => {
    const grants = Array.from({ length: MAX_GRANTS_PER_HOUR }, (_, k) => s(k));
    expect(decide(embeddedBlocked(), s(10), config, grants)).toEqual({ act: 'grant-refused', reason: 'embedded' });
  });

  it('still re-primes an ended track once the permission is granted', () => {
    expect(decide(state([embed, granted, ev.trackEnded(s(10))]), s(10))).toEqual({ act: 'reacquire' });
  });

  it('the embedding page allowing the microphone clears micBlockedBy', () => {
    const said = run([{ type: 'mic-grant', at: s(10), outcome: 'embedded' }], undefined, embeddedBlocked()).state;
    const allowed = run([ev.permission(s(30), 'granted')], undefined, said).state;
    expect(allowed.media.micBlockedBy).toBeUndefined();
  });
});
