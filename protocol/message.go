package protocol

import "encoding/json"

// MaxBinaryField is the largest join_ref, ref, topic, event or status a binary frame can carry:
// each length is a single header byte.
const MaxBinaryField = 255

// Message is one Phoenix message, independent of the serializer that carried it.
//
// Refs are strings; "" stands for JSON null (Phoenix never issues an empty ref). Exactly one of
// Payload and Binary is meaningful: Binary != nil marks a binary message.
type Message struct {
	JoinRef string
	Ref     string
	Topic   string
	Event   string
	// Payload is the JSON payload of a text frame (any JSON value); nil for binary messages.
	// Encoders write nil or empty as {}.
	Payload json.RawMessage
	// Binary is the payload of a binary frame; nil for JSON messages.
	Binary []byte
}

// IsBinary reports whether the message carries a binary payload.
func (m *Message) IsBinary() bool { return m.Binary != nil }

// Reply is a phx_reply to the push whose ref is Ref. Exactly one of Response and Binary is used:
// Binary != nil makes a binary reply (V2 only), otherwise Response is the JSON response object
// (nil means {}).
type Reply struct {
	JoinRef, Ref, Topic, Status string
	Response                    json.RawMessage
	Binary                      []byte
}

// Frame is one encoded WebSocket frame: a text frame, or a binary frame when Binary is true.
// Data is immutable once returned, so one Frame may be shared by many sockets.
type Frame struct {
	Data   []byte
	Binary bool
}

// Serializer encodes and decodes one protocol version. Implementations are stateless and safe
// for concurrent use.
type Serializer interface {
	// Version reports the protocol version this serializer speaks.
	Version() Version
	// Decode parses one client->server frame; binary tells whether it arrived as a binary
	// WebSocket frame. Errors wrap ErrMalformed. The returned Payload and Binary alias data
	// (capacity clipped so appends cannot write into it): the caller must not reuse data while
	// the Message is alive. The string fields never alias data.
	Decode(data []byte, binary bool) (Message, error)
	// EncodeMessage encodes a server->client push (JoinRef set, Ref usually ""), a broadcast
	// (JoinRef and Ref "") or a phx_close/phx_error (JoinRef == Ref == the join ref).
	// A binary message becomes a V2 binary push (kind 0, which has no ref field) when JoinRef
	// is set, otherwise a binary broadcast (kind 2).
	EncodeMessage(m Message) (Frame, error)
	// EncodeReply encodes a phx_reply: JSON {"status":..,"response":..}, or a V2 binary reply
	// (kind 1) when r.Binary != nil.
	EncodeReply(r Reply) (Frame, error)
}

// emptyObject is written for a nil JSON payload or response.
var emptyObject = []byte("{}")

// jsonOrEmptyObject returns raw, or {} when raw is empty.
func jsonOrEmptyObject(raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return emptyObject
	}
	return raw
}
