// Package httpapi is phxserver's server API: an authenticated JSON HTTP interface for the
// programs that run alongside the server (backends, automations, operators).
//
//	POST /api/broadcast                 send a server event to a channel's members (202)
//	GET  /api/channels                  channels with members on this node, sorted by name
//	GET  /api/channels/{name}/presence  presence in the Phoenix presence_state shape
//	GET  /api/channels/{name}/history   stored messages, oldest first (?limit=N)
//	POST /api/disconnect                close the sockets of a client_id or a user_id
//	GET  /api/explain                   explain a join / send / receive permission decision
//	POST /api/reload                    reload the configuration file (200, or 409 + reason)
//	GET  /api/openapi.json              the OpenAPI 3.0 document (no key needed)
//
// Mount the Handler with mux.Handle("/api/", httpapi.New(opts)).
//
// Authentication: `Authorization: Bearer <key>` with one of the configured keys (api.keys;
// empty strings ignored). Keys are compared as SHA-256 digests with crypto/subtle against
// every key without an early exit, so neither the timing of a match nor a key's length
// leaks. A missing or wrong key is answered 401 with WWW-Authenticate: Bearer. With no key
// configured the API is disabled and every /api route, openapi.json included, answers 404
// {"error":"api disabled"}. SetKeys swaps the keys on a configuration reload.
//
// Errors are always JSON {"error": "..."}: 400 for bad JSON, unknown fields, trailing data and
// invalid values; 405 (with Allow) for a wrong method; 413 for a body over 1 MiB; 404 for an
// unknown /api path (after authentication, so the route list cannot be probed without a key).
//
// A channel name is one path parameter even though it may contain '/': it may be sent raw
// (/api/channels/chatroom/1/presence) or escaped (/api/channels/chatroom%2F1/presence). The
// mux routes /api/channels/{name...} and the handler splits on the /presence or /history
// suffix.
//
// Decisions where the brief was silent:
//   - Broadcast: an absent or null payload becomes {}. `to` must name exactly one of
//     client_id, user_id or authenticated:true. Events starting with phx_ and the presence
//     events (presence_state, presence_diff, presence_full, presence_update) are refused,
//     as are event names over 255 bytes. xano.dbo_id/row_id accept a number, a string or
//     null. The broadcast outlives a client that hangs up mid-request.
//   - Lists, presence counts in /api/channels, history and disconnect concern this node (the
//     core's TopicCounts, ChannelHistory and EachSocket are local); broadcasts reach the
//     cluster through the core. The presence count is the tracker's (cluster-wide) entries.
//   - Disconnect: reconnect:true (default) closes with the dialect's ReconnectCode (Phoenix
//     1001, Xano 4000); reconnect:false with 1008, which stops Xano clients reconnecting. The
//     Phoenix 1.8.16 client reconnects after any close it did not initiate, so reconnect:false
//     does not keep a Phoenix client away: revoke its token for that.
//   - Explain: exactly one of token=<jwt> and anonymous=true. An invalid token is 400 with
//     the verifier's reason. send and receive first require the join to be allowed (a
//     non-member can do neither) and report the join denial otherwise. audience defaults to
//     public; target (for send with audience=private) defaults to anonymous, as the core
//     treats an unknown target. receive with audience=private answers false: a private message
//     reaches only its addressed target. permissions lists the effective permissions (empty
//     when the join is denied); set is the matched set, also on a denial after matching.
//   - Reload without a Reload function answers 501.
//
// The OpenAPI document is the embedded openapi.json; a test walks the route table and the
// document both ways and sends a request to every documented operation, so neither can drift.
package httpapi
