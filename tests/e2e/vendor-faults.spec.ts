/**
 * The vendor labs' own faults (tests/lab/README.md "Vendor labs") are listed by `GET /lab/faults`
 * with the lab's, and each one listed is injected by `POST /lab/fault/<name>` as its lab answers
 * it. No browser: the lab alone.
 */
import { test, expect } from './support/fixture';
import { labPost } from './support/softphone';

/** The faults the vendor labs add, by lab (lib/genesys-lab.mjs, lib/twilio-lab.mjs; the Amazon lab has none of its own). */
const VENDOR_FAULTS = ['genesys-silent-revoke', 'genesys-channel-expiry', 'twilio-silent-revoke'];

interface FaultList {
  definitions: Record<string, { description: string; implemented: boolean; defaults: Record<string, number> }>;
  active: Record<string, unknown>;
}

test.use({ labOptions: { tls: true } });

test("GET /lab/faults lists the vendor labs' faults alongside the lab's own, and each is injected as listed", async ({ lab }) => {
  const res = await fetch(`${lab.controlUrl}/lab/faults`);
  expect(res.status).toBe(200);
  const { definitions } = (await res.json()) as FaultList;
  const names = Object.keys(definitions);
  // The lab's own are still there.
  expect(names).toEqual(expect.arrayContaining(['publish-storm', 'token-revoke', 'silent-stall', 'server-down', 'mic-revoked']));
  expect(names).toEqual(expect.arrayContaining(VENDOR_FAULTS));
  for (const name of VENDOR_FAULTS) {
    const d = definitions[name]!;
    expect(d.implemented, name).toBe(true);
    expect(d.description.length, `${name}: described`).toBeGreaterThan(40);
    expect(d.defaults, name).toEqual({});
    const answer = (await labPost(lab, `/lab/fault/${name}`)) as { fault?: string; since?: number };
    expect(answer.fault, `POST /lab/fault/${name} answered by its lab`).toBe(name);
    expect(typeof answer.since).toBe('number');
  }
  // A name no lab knows is not listed and is refused.
  expect(names).not.toContain('twilio-channel-expiry');
  const unknown = await fetch(`${lab.controlUrl}/lab/fault/twilio-channel-expiry`, { method: 'POST', body: '{}' });
  expect(unknown.ok).toBe(false);
});
