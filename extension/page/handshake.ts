/**
 * How the probe (MAIN world) and the relay (ISOLATED world) find each other, once per document,
 * at document_start: both are content scripts injected at document_start (their registrations:
 * extension/background/content-scripts.ts), which the browser runs before the document has any
 * node beyond its root and before any script of the page. Neither order is assumed.
 *
 * The probe creates a `MessageChannel` and offers its second port in a synthetic, cancelable
 * {@link PORT_EVENT} (`MessageEvent` whose `ports` carry it: a platform object crosses worlds,
 * a `CustomEvent.detail` would not) dispatched on the window; the relay, listening, takes the
 * port and cancels the event, so the probe knows it was taken. When the probe runs first no
 * one listens: it then waits for the relay's cancelable {@link ASK_EVENT} and, inside that
 * dispatch, offers its port again; the relay's listener is already there, so the exchange
 * ends before the relay's dispatch returns. Each side removes its listeners once the port
 * changed hands, and a side still waiting stops at the document's first mutation (the parser
 * adding `<head>`, which precedes any page script): a listener left behind cannot be reached
 * by a page script. All of it is synchronous; nothing is posted on the window, so the page's
 * `message` listeners never see the exchange.
 *
 * What this does not cover: a script that runs before both (another extension's MAIN-world
 * content script, a test harness's init script) can listen for these names; a same-origin
 * parent can reach a frame's window before the frame's content scripts run.
 */

/** Probe → relay: a `MessageEvent` whose `ports[0]` is the relay's end of the channel. */
export const PORT_EVENT = 'softphone-guard:port';
/** Relay → probe: the relay is listening for {@link PORT_EVENT}; a waiting probe offers its port. */
export const ASK_EVENT = 'softphone-guard:ask-port';
