/**
 * The lab page's network fence, loaded before the SDK: `fetch` may reach this page's own host
 * only. After the signalling `connected` frame, @twilio/voice-sdk 2.18.5 points its Insights
 * publisher at `eventgw[.<home>].twilio.com` (lib/twilio/device.ts `_onSignalingConnected`,
 * lib/twilio/regions.ts `createEventGatewayURI`) whatever the `eventgw` option said; the fence
 * refuses those requests (the SDK logs "Unable to post … to Insights") and counts them by host in
 * `window.labVendor.fenced` (`{host: n}`). The e2e browsers also resolve `*.twilio.com` to nothing.
 */
(() => {
  const lab = (window.labVendor = window.labVendor || {});
  lab.fenced = {};
  const original = window.fetch.bind(window);
  window.fetch = function fencedFetch(input, init) {
    let url;
    try {
      url = new URL(input instanceof Request ? input.url : String(input), location.href);
    } catch {
      return original(input, init);
    }
    if (url.host !== location.host) {
      lab.fenced[url.host] = (lab.fenced[url.host] || 0) + 1;
      return Promise.reject(new TypeError(`lab fence: ${url.host} is outside the lab`));
    }
    return original(input, init);
  };
})();
