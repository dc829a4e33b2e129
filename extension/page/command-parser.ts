/**
 * Command validation, loaded on demand: the channel imports this module dynamically when the
 * first `to-page` envelope arrives. Building zod and the page protocol's schemas costs several
 * milliseconds, which would otherwise delay every page's own scripts at document_start.
 * (The bundler inlines the module and initializes it lazily; nothing is fetched.)
 */
import './zod-jitless';
import { PageCommandSchema } from '../../src/protocol/page';
import type { PageCommand } from '../../src/protocol/page';

/** The command in `msg` when it parses with {@link PageCommandSchema}, else null. */
export function parseCommand(msg: unknown): PageCommand | null {
  const parsed = PageCommandSchema.safeParse(msg);
  return parsed.success ? parsed.data : null;
}
