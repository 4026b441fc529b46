// Package protocol is the Phoenix Channels wire model: messages, replies and frames, and the
// serializers that turn them into WebSocket frames and back. It is pure: no I/O, no goroutines,
// standard library only.
//
// # Versions
//
// The client picks a serializer with the `vsn` query parameter; Negotiate maps it:
//
//   - V2 (vsn 2.0.x, what the phoenix JS client sends): text frames are JSON arrays
//     [join_ref, ref, topic, event, payload]. Binary frames carry binary payloads:
//     kind 0 push (client->server with a ref, server->client without one), kind 1 reply and
//     kind 2 broadcast (server->client only). Every binary header field is at most
//     MaxBinaryField (255) bytes.
//   - V1 (vsn 1.0.x, or no vsn): text frames are JSON objects
//     {"topic","event","payload","ref","join_ref"}. The server never sends join_ref, and there
//     is no binary form.
//
// JSON goes only in text frames and binary only in binary frames: a frame of the wrong kind is
// rejected with ErrMalformed rather than misparsed.
//
// # Refs
//
// join_ref and ref are strings; a JSON null is the empty string "" in Message and Reply, and ""
// is written back as null. Refs are echoed exactly as received (the JS client compares them with
// ===). A ref sent as a JSON number is accepted and kept as its literal text (12 -> "12"), so it
// is echoed back as a string. A channel push carries its join_ref and a null ref, a broadcast
// carries neither, and phx_close/phx_error carry the join_ref as both refs. A phx_reply carries
// the request's ref and the channel's join_ref.
//
// # Ownership and performance
//
// Decode copies header strings once (a single allocation) but returns the payload as a
// sub-slice of the input, which the caller must keep unchanged while the Message is used.
// Encoders append into one right-sized buffer and copy JSON payloads verbatim (they are
// validated on Decode, not on encode). Encoded Frames are immutable and may be shared by every
// subscriber of a broadcast.
package protocol
