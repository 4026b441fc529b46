package protocol

import (
	"fmt"
	"unicode/utf8"
)

// V1JSON is the vsn 1.0.0 serializer: JSON objects {"topic","event","payload","ref","join_ref"}.
// It has no binary form. Server->client frames never carry join_ref, as in Phoenix.
var V1JSON Serializer = v1JSON{}

type v1JSON struct{}

// Version implements Serializer.
func (v1JSON) Version() Version { return V1 }

var (
	errNotV1Object   = malformed("expected a JSON object")
	errV1Key         = malformed("expected a string object key")
	errV1Colon       = malformed("expected ':' after an object key")
	errV1Separator   = malformed("expected ',' or '}' in the object")
	errBinaryOnV1    = fmt.Errorf("%w: %w", ErrMalformed, ErrBinaryUnsupported)
	errV1MissingKeys = [...]error{
		malformed(`missing key "topic"`),
		malformed(`missing key "event"`),
		malformed(`missing key "payload"`),
		malformed(`missing key "ref"`),
	}
)

// Indices of the decoded string fields, and bits of the required keys seen.
const (
	v1Topic = iota
	v1Event
	v1Ref
	v1JoinRef
)

const (
	seenTopic = 1 << iota
	seenEvent
	seenPayload
	seenRef
	seenRequired = seenTopic | seenEvent | seenPayload | seenRef
)

// Decode implements Serializer. A binary frame is refused with an error wrapping both
// ErrMalformed and ErrBinaryUnsupported.
func (v1JSON) Decode(data []byte, binary bool) (Message, error) {
	if binary {
		return Message{}, errBinaryOnV1
	}
	if !utf8.Valid(data) {
		return Message{}, errNotUTF8
	}
	c := jsonCursor{data: data}
	if !c.consume('{') {
		return Message{}, errNotV1Object
	}
	var scratch [128]byte
	buf := scratch[:0]
	var keyScratch [16]byte
	var spans [4]span
	var payload []byte
	seen := 0
	if !c.consume('}') {
		for {
			if !c.atString() {
				return Message{}, errV1Key
			}
			key, err := c.appendString(keyScratch[:0])
			if err != nil {
				return Message{}, err
			}
			if !c.consume(':') {
				return Message{}, errV1Colon
			}
			// Duplicate keys: the last one wins, as in encoding/json and Jason.
			switch string(key) {
			case "topic":
				buf, spans[v1Topic], err = c.appendStringField(buf, "topic")
				seen |= seenTopic
			case "event":
				buf, spans[v1Event], err = c.appendStringField(buf, "event")
				seen |= seenEvent
			case "ref":
				buf, spans[v1Ref], err = c.appendRef(buf, "ref")
				seen |= seenRef
			case "join_ref":
				buf, spans[v1JoinRef], err = c.appendRef(buf, "join_ref")
			case "payload":
				payload, err = c.value()
				err = payloadError(err)
				seen |= seenPayload
			default:
				_, err = c.value()
			}
			if err != nil {
				return Message{}, err
			}
			if c.consume('}') {
				break
			}
			if !c.consume(',') {
				return Message{}, errV1Separator
			}
		}
	}
	if !c.atEnd() {
		return Message{}, errTrailingData
	}
	if seen != seenRequired {
		for i := range errV1MissingKeys {
			if seen&(1<<i) == 0 {
				return Message{}, errV1MissingKeys[i]
			}
		}
	}
	strs := string(buf)
	return Message{
		JoinRef: strs[spans[v1JoinRef].start:spans[v1JoinRef].end],
		Ref:     strs[spans[v1Ref].start:spans[v1Ref].end],
		Topic:   strs[spans[v1Topic].start:spans[v1Topic].end],
		Event:   strs[spans[v1Event].start:spans[v1Event].end],
		Payload: payload,
	}, nil
}

// EncodeMessage implements Serializer: {"topic":..,"event":..,"payload":..,"ref":..}.
// JoinRef is not sent (V1 never sends it).
func (v1JSON) EncodeMessage(m Message) (Frame, error) {
	if m.IsBinary() {
		return Frame{}, ErrBinaryUnsupported
	}
	payload := jsonOrEmptyObject(m.Payload)
	buf := make([]byte, 0, v1Size(m.Topic, m.Event, m.Ref)+len(payload))
	buf = appendV1Head(buf, m.Topic, m.Event)
	buf = append(buf, payload...)
	buf = appendV1Tail(buf, m.Ref)
	return Frame{Data: buf}, nil
}

// EncodeReply implements Serializer; binary replies return ErrBinaryUnsupported.
func (v1JSON) EncodeReply(r Reply) (Frame, error) {
	if r.Binary != nil {
		return Frame{}, ErrBinaryUnsupported
	}
	response := jsonOrEmptyObject(r.Response)
	buf := make([]byte, 0, v1Size(r.Topic, "phx_reply", r.Ref)+replyPayloadSize(r.Status, response))
	buf = appendV1Head(buf, r.Topic, "phx_reply")
	buf = appendReplyPayload(buf, r.Status, response)
	buf = appendV1Tail(buf, r.Ref)
	return Frame{Data: buf}, nil
}

// appendV1Head appends `{"topic":..,"event":..,"payload":`.
func appendV1Head(buf []byte, topic, event string) []byte {
	buf = append(buf, `{"topic":`...)
	buf = appendJSONString(buf, topic)
	buf = append(buf, `,"event":`...)
	buf = appendJSONString(buf, event)
	return append(buf, `,"payload":`...)
}

// appendV1Tail appends `,"ref":..}`.
func appendV1Tail(buf []byte, ref string) []byte {
	buf = append(buf, `,"ref":`...)
	buf = appendRef(buf, ref)
	return append(buf, '}')
}

// v1Size estimates a V1 frame without its payload.
func v1Size(topic, event, ref string) int {
	return len(`{"topic":,"event":,"payload":,"ref":}`) + jsonStringSize(topic) +
		jsonStringSize(event) + refSize(ref)
}
