// The CCP's SharedWorker: amazon-connect-streams' own release/connect-streams.js, unmodified,
// and its worker entry point (release/connect-streams.js `connect.worker.main`, which builds
// the ClientEngine: API calls, long poll, token refresh and the WebSocketManager).
// See tests/lab/README.md "Vendor labs: Amazon Connect".
/* global importScripts, connect */
importScripts('/vendors/amazon/streams/connect-streams.js');
connect.worker.main();
