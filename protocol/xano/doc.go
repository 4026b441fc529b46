// Package xano encodes and decodes the envelope of the Xano realtime dialect, the protocol
// that the unmodified @xano/js-sdk 3.0.1 speaks on /rt/{canonical}
// (shared/reference/xano-realtime.md §2–§5). It is pure: standard library only, no I/O, no
// goroutines.
//
// # Frames
//
// Every frame is one JSON object. Clients send {action, options, payload} with actions
// join, leave, message and history; Decode turns one into a Request. The server sends
// {action, client, options, payload} with actions message, presence_full, presence_update,
// history, event and error; one Encode function exists per frame. The SDK-local
// "connection_status" action is never encoded: a server-sent one would make every channel
// re-join (§4.2).
//
// # Decisions
//
//   - Absent, null, "" and false are the same thing in options: WeWeb sends
//     {"authenticated":false,"socketId":null,"channel":"room1"} on every public message, so
//     Authenticated is true only for the literal true and SocketID is "" unless it is a
//     non-empty string. Options that are not an object (null, a string, an array) count as
//     empty options rather than a malformed frame; so do non-string channel values.
//   - A frame is malformed (ErrMalformed) only when it is not JSON, not an object, or lacks a
//     non-empty string action. Unknown actions decode fine so the core can answer them with
//     an error frame. Duplicate keys resolve to the last one, as JSON.parse does, and keys
//     are compared after unescaping ("\u0061ction" is action).
//   - Request.Payload is a copy of the raw payload (`null` when absent), never nil, so the
//     transport may reuse its read buffer.
//   - Server frames always set options.channel to the concrete channel name (never a
//     wildcard pattern): the SDK hands a channel-less frame to every channel on the socket.
//   - Public and authenticated-audience messages carry "socketId":null; a private message
//     carries the socketId the sender addressed. options.authenticated is always present.
//   - Server-originated frames (presence, history, event, error) carry "client":null.
//   - Client objects always carry socketId, extras ({} when nil) and permissions; a nil
//     dbo_id/row_id is 0 (anonymous), integer ids are numbers and other ids (UUIDs) strings.
//   - Client.Raw lets the server encode a connection's client object once (with
//     AppendJSON) and reuse the bytes in every frame; it is trusted and copied verbatim.
//   - Extras are written with sorted keys so frames are deterministic; values JSON cannot
//     represent (NaN, ±Inf, cycles deeper than 64 levels) become null.
//   - Payloads, event data and history items are copied verbatim: callers pass valid JSON
//     (Decode guarantees it for client payloads). Empty ones are written as null.
//   - Strings are escaped by a local appender: invalid UTF-8 becomes U+FFFD and U+2028/U+2029
//     are escaped, so every frame is valid UTF-8 JSON that JSON.parse accepts.
package xano
