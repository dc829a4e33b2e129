import type { BrowserContext, Worker } from '@playwright/test';
export declare const PROJECT_ROOT: string;
export declare const DIST: string;
/** Chromium flags every test and benchmark browser gets (docs/architecture.md §7), before its own. */
export declare const BASE_ARGS: readonly string[];
export declare const EXTENSION_ID: string;
export declare function launchBrowser(opts?: {
  withExtension?: boolean;
  headless?: boolean;
  args?: string[];
  sitePermissions?: boolean;
}): Promise<{ context: BrowserContext; userDataDir: string }>;
export declare function extensionWorker(context: BrowserContext): Promise<Worker>;
export declare function launchBrowserWithExtensions(
  extensionDirs: string[],
  opts?: { headless?: boolean; args?: string[]; logToProfile?: boolean },
): Promise<{ context: BrowserContext; userDataDir: string }>;
