// Package webhooks delivers channel activity to HTTP receivers (the `webhooks:` section of the
// configuration): n8n, Make.com, Zapier-style automation endpoints.
//
// A Dispatcher is a channels.Observer. Its methods run on the core's hot paths, so they only
// match the event against each endpoint's channel patterns and event list and put a small job
// on a bounded queue (Options.QueueSize, default 4096); when the queue is full the event is
// dropped, counted in Stats.Dropped and logged at most once per second. Run starts
// Options.Workers workers (default 8) which encode and POST the events.
//
// # Body
//
//	{"id": "<uuid>", "event": "message|join|leave|presence", "channel": "room/1",
//	 "time": "<RFC 3339>", "client": {"client_id", "authenticated", "user_id", "role"},
//	 "message_event": "shout", "audience": "public|authenticated|private", "payload": {...},
//	 "joins": [{"key", "client_id", "meta"}], "leaves": [...]}
//
// client is set for join, leave and message; payload for JSON messages (binary messages are sent
// without it); joins/leaves for presence. One event matching several endpoints has the same id
// at each of them.
//
// # Delivery
//
// At-least-once: an attempt that fails with a network error, a timeout (Options.Timeout,
// default 5s), a 5xx, 408 or 429 is retried up to Options.MaxAttempts (default 5) in all, after
// BaseBackoff·2^(n-1) (default 200 ms, capped at MaxBackoff, default 10 s) jittered into
// [d/2, d]. Other statuses (4xx, 3xx: redirects are not followed) are final. Events that run out
// of attempts count as Stats.Failed. Receivers de-duplicate with id. A worker sleeping through a
// backoff holds its slot, so a receiver that is down fills the queue and later events are
// dropped rather than blocking the server. Events queued when Run's context ends are abandoned.
//
// # Signature
//
// With a secret, each request carries
//
//	X-Phxserver-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
//
// A receiver verifies it by recomputing the HMAC over the exact bytes of the body prefixed with
// the t value and a dot, comparing in constant time with v1, and refusing timestamps more than a
// few minutes from its clock (replay protection); Verify does exactly that. The same scheme
// signs the requests of webhook trigger functions (package triggers).
package webhooks
