/**
 * What the worker can learn about where it runs, for the telemetry resource
 * (src/telemetry/resource.ts): extension version, a per-profile instance id, and the browser,
 * OS and architecture from User-Agent Client Hints (`navigator.userAgentData`, available in
 * workers of Chromium-based browsers). Host names and IP addresses are not knowable here and
 * would be personal data anyway.
 */
import browser from 'webextension-polyfill';
import type { TelemetryEnvironment } from '../../src/telemetry/resource';

/** `storage.local` key of the random `service.instance.id` of this browser profile. */
export const INSTANCE_ID_KEY = 'telemetryInstanceId';

interface UaData {
  brands?: Array<{ brand: string; version: string }>;
  platform?: string;
  mobile?: boolean;
  getHighEntropyValues?(hints: string[]): Promise<Record<string, unknown>>;
}

/** The profile's instance id: a UUID v4 created once and kept in `storage.local`. */
async function instanceId(): Promise<string> {
  const got = (await browser.storage.local.get(INSTANCE_ID_KEY))[INSTANCE_ID_KEY];
  if (typeof got === 'string' && got) return got;
  const id = crypto.randomUUID();
  await browser.storage.local.set({ [INSTANCE_ID_KEY]: id });
  return id;
}

/** Reads the environment. Never rejects: what cannot be read is left out (the id falls back to a fresh UUID). */
export async function readTelemetryEnvironment(): Promise<TelemetryEnvironment> {
  const ua = (navigator as Navigator & { userAgentData?: UaData }).userAgentData;
  const noHints: Record<string, unknown> = {};
  const [id, high] = await Promise.all([
    instanceId().catch(() => crypto.randomUUID()),
    ua?.getHighEntropyValues?.(['architecture', 'bitness', 'platformVersion']).catch(() => noHints) ?? Promise.resolve(noHints),
  ]);
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
  const env: TelemetryEnvironment = {
    extensionVersion: browser.runtime.getManifest().version,
    instanceId: id,
    userAgent: navigator.userAgent,
    language: navigator.language,
  };
  if (ua?.brands) env.brands = ua.brands.filter((b) => !/not.?a.?brand/i.test(b.brand));
  if (ua?.platform) env.platform = ua.platform;
  if (ua?.mobile !== undefined) env.mobile = ua.mobile;
  const architecture = str(high.architecture);
  const bitness = str(high.bitness);
  const platformVersion = str(high.platformVersion);
  if (architecture) env.architecture = architecture;
  if (bitness) env.bitness = bitness;
  if (platformVersion) env.platformVersion = platformVersion;
  return env;
}
