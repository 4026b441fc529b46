// Package web serves phxserver's browser pages and their small HTTP API:
//
//   - the demo chat page at / (demo mode only), built on the unmodified phoenix client served
//     at /assets/phoenix.js from node_modules on disk, with LongPoll fallback;
//   - POST /demo/token, which mints short-lived HS256 tokens for the demo users (demo mode only);
//   - the live dashboard page at /dashboard, fed by the server's own Phoenix channel
//     phxserver:dashboard (Dashboard is its channels.Handler, Sampler its once-a-second
//     broadcaster).
//
// The pages are embedded with go:embed and use no CDN: charts are hand-drawn on a canvas.
package web
