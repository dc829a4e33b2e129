/**
 * Resource attributes of the exported telemetry, per the OpenTelemetry semantic conventions
 * (v1.45): `service.*` (stable), `user_agent.original` (stable), `browser.*`, `os.*` and
 * `host.arch` (development status, so their names are defined here rather than imported
 * from the package's `incubating` entry, which its README says not to depend on).
 * Pure: the worker passes in what the browser told it.
 */
import {
  ATTR_SERVICE_INSTANCE_ID,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';

/** `service.name` of every resource this extension exports. */
export const SERVICE_NAME = 'softphone-guard';

/** Development-status resource attribute names used here (semantic conventions v1.45). */
export const ATTR_BROWSER_BRANDS = 'browser.brands';
export const ATTR_BROWSER_PLATFORM = 'browser.platform';
export const ATTR_BROWSER_MOBILE = 'browser.mobile';
export const ATTR_BROWSER_LANGUAGE = 'browser.language';
export const ATTR_OS_TYPE = 'os.type';
export const ATTR_OS_VERSION = 'os.version';
export const ATTR_HOST_ARCH = 'host.arch';

/** What the worker knows about where it runs; every field but the first two is optional. */
export interface TelemetryEnvironment {
  /** `chrome.runtime.getManifest().version`. */
  extensionVersion: string;
  /** A random UUID kept for the browser profile (one per installed copy of the extension). */
  instanceId: string;
  /** `navigator.userAgent`. */
  userAgent?: string;
  /** `navigator.userAgentData.brands` as `{brand, version}`. */
  brands?: ReadonlyArray<{ brand: string; version: string }>;
  /** `navigator.userAgentData.platform`: `Windows`, `macOS`, `Linux`, `Chrome OS`, `Android`, … */
  platform?: string;
  /** `navigator.userAgentData.mobile`. */
  mobile?: boolean;
  /** `navigator.language` (BCP 47). */
  language?: string;
  /** High-entropy client hints: `architecture` (`x86`, `arm`), `bitness` (`64`, `32`), `platformVersion`. */
  architecture?: string;
  bitness?: string;
  platformVersion?: string;
}

/** Attribute values the resource carries (OTLP AnyValue subset). */
export type ResourceValue = string | boolean | string[];

/**
 * `os.type` from the UA-CH platform (semconv enum: `windows`, `darwin`, `linux`, …); undefined
 * when the platform has no matching value (Chrome OS and Android are Linux kernels, but the
 * enum describes the OS, so they are left out rather than mislabelled).
 */
export function osType(platform: string | undefined): string | undefined {
  switch (platform) {
    case 'Windows':
      return 'windows';
    case 'macOS':
      return 'darwin';
    case 'Linux':
      return 'linux';
    default:
      return undefined;
  }
}

/** `host.arch` (semconv enum) from the UA-CH `architecture` and `bitness` hints; undefined when unknown. */
export function hostArch(architecture: string | undefined, bitness: string | undefined): string | undefined {
  if (architecture === 'x86') return bitness === '64' ? 'amd64' : bitness === '32' ? 'x86' : undefined;
  if (architecture === 'arm') return bitness === '64' ? 'arm64' : bitness === '32' ? 'arm32' : undefined;
  return undefined;
}

/**
 * The resource attributes: `service.name` = {@link SERVICE_NAME}, `service.version` = the
 * extension version, `service.instance.id` = the profile's UUID, plus every browser, OS and
 * host attribute the environment could tell. `browser.brands` is `"<brand> <version>"` per
 * brand, as the semantic conventions give it. Empty strings are left out.
 */
export function resourceAttributes(env: TelemetryEnvironment): Record<string, ResourceValue> {
  const out: Record<string, ResourceValue> = {
    [ATTR_SERVICE_NAME]: SERVICE_NAME,
    [ATTR_SERVICE_VERSION]: env.extensionVersion,
    [ATTR_SERVICE_INSTANCE_ID]: env.instanceId,
  };
  const put = (key: string, value: ResourceValue | undefined): void => {
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return;
    out[key] = value;
  };
  put(ATTR_USER_AGENT_ORIGINAL, env.userAgent);
  put(
    ATTR_BROWSER_BRANDS,
    env.brands?.map((b) => `${b.brand} ${b.version}`),
  );
  put(ATTR_BROWSER_PLATFORM, env.platform);
  if (env.mobile !== undefined) out[ATTR_BROWSER_MOBILE] = env.mobile;
  put(ATTR_BROWSER_LANGUAGE, env.language);
  put(ATTR_OS_TYPE, osType(env.platform));
  put(ATTR_OS_VERSION, env.platformVersion);
  put(ATTR_HOST_ARCH, hostArch(env.architecture, env.bitness));
  return out;
}
