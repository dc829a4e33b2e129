/** Types of tests/release/packager.mjs (the project type-checks no JavaScript). */
export const PROJECT_ROOT: string;
export const DEFAULT_KEYS_DIR: string;
export const DEFAULT_KEY_FILE: string;
export const NAME: string;
export function extensionId(spkiDer: Buffer): string;
export function extensionIdOfManifestKey(key: string): string;
export function releaseKey(options: { keyPath?: string; keysDir?: string }): {
  path: string;
  created: boolean;
  publicKeyDer: Buffer;
  id: string;
};
export function compareVersions(a: string, b: string): number;
export function updateXml(app: { appid: string; codebase: string; version: string; prodversionmin?: string }): string;
export function readUpdateXml(xml: string): { appid: string; version: string } | null;
export interface PackageOptions {
  distDir: string;
  outDir: string;
  baseUrl: string;
  keyPath?: string;
  keysDir?: string;
  version?: string;
  replace?: string;
}
export interface PackageResult {
  id: string;
  version: string;
  key: { path: string; created: boolean };
  crxPath: string;
  updateXmlPath: string;
  storeZipPath: string;
  codebase: string;
  /** Where update.xml must be served: the CRX manifest's `update_url`. */
  updateUrl: string;
  sizes: { crx: number; updateXml: number; storeZip: number };
}
export function packageExtension(options: PackageOptions): Promise<PackageResult>;
