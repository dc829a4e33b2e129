/**
 * Chromium policy files for the e2e tests: Linux Chromium reads every JSON file in
 * `/etc/chromium/policies/managed/` (root needed to write there) and picks a change up within
 * seconds (docs/architecture.md §7). Every file the tests write is named
 * `softphone-guard-e2e-<name>.json` and removed again, whatever happens: another policy file
 * in that directory would change every later test.
 */
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTENSION_ID } from '../../support/browser.mjs';
import { withLabPages } from './softphone';

export const POLICY_DIR = '/etc/chromium/policies/managed';

/** The path of the test policy file `name`. */
export const policyPath = (name: string): string => join(POLICY_DIR, `softphone-guard-e2e-${name}.json`);

/** Null when this process can write policy files, else why not. */
export function cannotWritePolicy(): string | null {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return `needs root to write ${POLICY_DIR}`;
  try {
    mkdirSync(POLICY_DIR, { recursive: true });
    accessSync(POLICY_DIR, constants.W_OK);
    return null;
  } catch (error) {
    return `cannot write ${POLICY_DIR}: ${String(error)}`;
  }
}

/** Policy files a test writes; all removed by {@link PolicyFiles.removeAll}. */
export interface PolicyFiles {
  /** Writes `softphone-guard-e2e-<name>.json` atomically (Chromium may read at any moment). */
  write(name: string, content: Record<string, unknown>): void;
  /**
   * The extension's managed-storage value (`3rdparty` → `extensions` → its id), file `policy`.
   * With `labPages`, a value that does not name `softphoneUrlPatterns` gets the lab's pages
   * besides the shipped vendor hosts (support/softphone.ts `withLabPages`), as the lab's
   * administrator would write it; a value that names them is written as it is.
   */
  managed(value: Record<string, unknown>): void;
  /** Removes the file `name` (default: the managed-storage one). */
  remove(name?: string): void;
  /** Removes every file written, and any left by an interrupted run under the same names. */
  removeAll(): void;
  /** Whether any file written is still there. */
  anyLeft(): boolean;
}

/**
 * Policy files under {@link POLICY_DIR}; `names` are removed up front (leftovers of an interrupted run).
 * @param opts.labPages `managed` values name the lab's pages unless they name their own (default false)
 */
export function policyFiles(names: string[] = ['policy'], opts: { labPages?: boolean } = {}): PolicyFiles {
  const written = new Set<string>(names);
  const remove = (name = 'policy'): void => {
    rmSync(policyPath(name), { force: true });
    rmSync(`${policyPath(name)}.tmp`, { force: true });
  };
  const write = (name: string, content: Record<string, unknown>): void => {
    written.add(name);
    const tmp = `${policyPath(name)}.tmp`;
    writeFileSync(tmp, JSON.stringify(content, null, 2));
    renameSync(tmp, policyPath(name));
  };
  for (const name of written) remove(name);
  return {
    write,
    managed: (value) => write('policy', { '3rdparty': { extensions: { [EXTENSION_ID]: opts.labPages ? withLabPages(value) : value } } }),
    remove,
    removeAll: () => written.forEach((name) => remove(name)),
    anyLeft: () => [...written].some((name) => existsSync(policyPath(name))),
  };
}
