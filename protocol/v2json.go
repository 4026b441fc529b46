package protocol

import (
	"errors"
	"unicode/utf8"
)

// V2JSON is the vsn 2.0.0 serializer: JSON arrays [join_ref, ref, topic, event, payload] in
// text frames, and the kind 0/1/2 binary layout in binary frames.
var V2JSON Serializer = v2JSON{}

type v2JSON struct{}

// Version implements Serializer.
func (v2JSON) Version() Version { return V2 }

var (
	errNotV2Array   = malformed("expected a JSON array of 5 elements")
	errNotUTF8      = malformed("text frame is not valid UTF-8")
	errTrailingData = malformed("unexpected data after the message")
	errBadPayload   = malformed("payload is not valid JSON")
)

// Decode implements Serializer.
func (v2JSON) Decode(data []byte, binary bool) (Message, error) {
	if binary {
		return decodeBinaryPush(data)
	}
	return decodeV2Text(data)
}

// decodeV2Text parses [join_ref, ref, topic, event, payload, ...]. Like Phoenix it tolerates
// extra trailing elements, which must still be valid JSON.
func decodeV2Text(data []byte) (Message, error) {
	if !utf8.Valid(data) {
		return Message{}, errNotUTF8
	}
	c := jsonCursor{data: data}
	if !c.consume('[') {
		return Message{}, errNotV2Array
	}
	// All four strings are decoded into one buffer and converted with a single allocation.
	var scratch [128]byte
	buf := scratch[:0]
	var spans [4]span
	var err error
	for i, field := range [4]string{"join_ref", "ref", "topic", "event"} {
		if i > 0 && !c.consume(',') {
			return Message{}, errNotV2Array
		}
		if i < 2 {
			buf, spans[i], err = c.appendRef(buf, field)
		} else {
			buf, spans[i], err = c.appendStringField(buf, field)
		}
		if err != nil {
			return Message{}, err
		}
	}
	if !c.consume(',') {
		return Message{}, errNotV2Array
	}
	payload, err := c.value()
	if err != nil {
		return Message{}, payloadError(err)
	}
	for !c.consume(']') {
		if !c.consume(',') {
			return Message{}, errNotV2Array
		}
		if _, err := c.value(); err != nil {
			return Message{}, err
		}
	}
	if !c.atEnd() {
		return Message{}, errTrailingData
	}
	strs := string(buf)
	return Message{
		JoinRef: strs[spans[0].start:spans[0].end],
		Ref:     strs[spans[1].start:spans[1].end],
		Topic:   strs[spans[2].start:spans[2].end],
		Event:   strs[spans[3].start:spans[3].end],
		Payload: payload,
	}, nil
}

// payloadError turns an invalid-value error into the payload-specific detail.
func payloadError(err error) error {
	if errors.Is(err, errInvalidValue) {
		return errBadPayload
	}
	return err
}

// EncodeMessage implements Serializer.
func (v2JSON) EncodeMessage(m Message) (Frame, error) {
	if m.IsBinary() {
		return encodeBinaryMessage(m)
	}
	payload := jsonOrEmptyObject(m.Payload)
	size := 6 + refSize(m.JoinRef) + refSize(m.Ref) + jsonStringSize(m.Topic) +
		jsonStringSize(m.Event) + len(payload)
	buf := make([]byte, 0, size)
	buf = appendV2Head(buf, m.JoinRef, m.Ref, m.Topic)
	buf = appendJSONString(buf, m.Event)
	buf = append(buf, ',')
	buf = append(buf, payload...)
	buf = append(buf, ']')
	return Frame{Data: buf}, nil
}

// EncodeReply implements Serializer.
func (v2JSON) EncodeReply(r Reply) (Frame, error) {
	if r.Binary != nil {
		return encodeBinaryReply(r)
	}
	response := jsonOrEmptyObject(r.Response)
	size := 6 + refSize(r.JoinRef) + refSize(r.Ref) + jsonStringSize(r.Topic) +
		len(`"phx_reply"`) + replyPayloadSize(r.Status, response)
	buf := make([]byte, 0, size)
	buf = appendV2Head(buf, r.JoinRef, r.Ref, r.Topic)
	buf = append(buf, `"phx_reply",`...)
	buf = appendReplyPayload(buf, r.Status, response)
	buf = append(buf, ']')
	return Frame{Data: buf}, nil
}

// appendV2Head appends `[join_ref,ref,topic,`.
func appendV2Head(buf []byte, joinRef, ref, topic string) []byte {
	buf = append(buf, '[')
	buf = appendRef(buf, joinRef)
	buf = append(buf, ',')
	buf = appendRef(buf, ref)
	buf = append(buf, ',')
	buf = appendJSONString(buf, topic)
	return append(buf, ',')
}

// appendReplyPayload appends {"status":..,"response":..}, the payload of every JSON reply.
func appendReplyPayload(buf []byte, status string, response []byte) []byte {
	buf = append(buf, `{"status":`...)
	buf = appendJSONString(buf, status)
	buf = append(buf, `,"response":`...)
	buf = append(buf, response...)
	return append(buf, '}')
}

// replyPayloadSize estimates the size appendReplyPayload writes.
func replyPayloadSize(status string, response []byte) int {
	return len(`{"status":,"response":}`) + jsonStringSize(status) + len(response)
}
