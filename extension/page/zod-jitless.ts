/**
 * Must be imported before any zod schema is built (command-parser.ts imports it first).
 * Zod compiles object parsers with `new Function` unless told not to, and tests for that
 * ability when a schema is built; on a page whose CSP has no `unsafe-eval` that test alone
 * posts a `securitypolicyviolation` report the page can see. The probe bundles its own copy
 * of zod, so this setting is the probe's alone.
 */
import { z } from 'zod';

z.config({ jitless: true });
