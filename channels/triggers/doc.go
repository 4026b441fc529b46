// Package triggers runs the trigger functions of permission sets (config `functions:` and
// `channels[].triggers`). A Runner implements channels.Triggers: the core calls Run for join
// triggers before the member becomes visible and for message triggers after the permission
// check and before delivery (off the socket's reader, so a slow trigger delays only the message
// it guards), and Notify for leave triggers.
//
// # Pipeline
//
// Run executes the set's triggers whose event equals the input's event or "*", in configured
// order. Each function runs under a deadline (a webhook's timeout, else DefaultDeadline). The
// first deny wins and its reason reaches the client; a function may replace the payload, which
// the functions after it see and which is delivered. A set naming a function the Runner does not
// have (possible for a moment during a reload) is refused with "trigger unavailable" rather than
// left unguarded; so is a function that panics. Notify hands leave triggers to a small worker
// pool (leaveWorkers over a queue of leaveQueue); when it is full the notification is dropped and
// counted in Stats.LeaveDropped.
//
// # Built-in functions
//
//   - rate_limit: a token bucket of `limit` tokens refilled continuously over `per` (burst =
//     limit), one per user (anonymous members: per client id), client or channel. Deny reason
//     "rate limit exceeded: 5 messages per 1m0s". Buckets idle for a whole period are swept; at
//     most maxBuckets are kept (past that arbitrary buckets are evicted, which only makes the
//     limiter more lenient). Buckets are not carried over a configuration reload.
//   - claim_match: the channel pattern capture {segment} must equal, or be an element of, the
//     claim `claim` of the member's token, compared as strings (42 matches "42"). Anonymous
//     members are refused. Reason "not a member of team_id 7".
//   - content_filter: refuses payloads larger than max_bytes, object payloads lacking a
//     required_keys entry, and payloads with a string (value or key, after JSON decoding, so
//     escapes cannot hide text) matching a deny regexp; a non-JSON payload is matched as text.
//     Binary messages are refused when deny or required_keys is set (their bytes are not
//     available to triggers). Reasons do not reveal the expressions.
//   - audit_log: appends one JSON line {time, event, channel, client_id, user_id,
//     message_event, allowed, payload_bytes} and never denies. allowed is the verdict so far
//     (always true: a deny stops the pipeline), so an audit_log first in the list records
//     attempts and last records accepted events. One writer goroutine per file with a queue of
//     4096 lines; a full queue drops (Stats.AuditDropped), the caller never blocks. Fsync policy:
//     after every 100 lines and at least once a second while lines are pending, and on Close.
//     With max_size > 0 the file is rotated before a line would exceed it: path.2 → path.3,
//     path.1 → path.2, path → path.1 (three rotated files kept).
//   - webhook: a synchronous POST of {event, channel, captures, client: {client_id,
//     authenticated, user_id, role, claims}, message_event, payload} answered by
//     {"allow": bool, "reason"?: string, "payload"?: any}. A timeout, transport error, non-2xx
//     status, or an answer that is not JSON or lacks "allow" follows on_error (deny with reason
//     "trigger unavailable", or allow). All webhooks of a Runner share one http.Client (connection
//     reuse); each function allows 64 calls in flight, later calls wait for a slot within their
//     timeout. With a secret the request carries X-Phxserver-Signature:
//     t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>; see package webhooks for how
//     receivers verify it (webhooks.Verify).
//
// New starts the background goroutines; Close stops them (flushing the audit files).
package triggers
