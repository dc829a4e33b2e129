/**
 * Which probe-channel envelopes a document saw, as `dir:type` strings (`to-ext:hello`,
 * `to-page:config`), and every message its window received, for the lab-page specs that check
 * the probe and the relay are both there and talking, and what the window gets to see.
 *
 * Read from the probe specs' recorder (tests/e2e/fixtures/probe/sg-recorder.js), installed
 * for every document of a context: it records the observations on the port the probe hands
 * the relay (the `hello` first) and the relay's commands on the probe's end of that port.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { RECORDER } from '../fixtures/probe/harness';

type Recorded = { __sg: { envelopes: { dir: string; msg?: { type?: string } }[]; windowTexts: string[] } };

/** Installs the recorder in every later document of `context`. */
export async function recordEnvelopes(context: BrowserContext): Promise<void> {
  await context.addInitScript({ path: RECORDER });
}

/** What the recorder has seen in `page`'s current document, as `dir:type`, in order. */
export const envelopes = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as unknown as Recorded).__sg.envelopes.map((e) => `${e.dir}:${e.msg?.type}`));

/** The JSON text of every message `page`'s window received in its current document, in order. */
export const windowMessageTexts = (page: Page): Promise<string[]> =>
  page.evaluate(() => [...(window as unknown as Recorded).__sg.windowTexts]);
