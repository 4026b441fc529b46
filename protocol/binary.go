package protocol

import "unicode/utf8"

// Binary frame kinds (the first byte of a V2 binary frame).
const (
	kindPush      = 0 // client->server with ref, server->client without
	kindReply     = 1 // server->client only
	kindBroadcast = 2 // server->client only
)

const clientPushHeaderLen = 5 // kind, len(join_ref), len(ref), len(topic), len(event)

var (
	errBinaryEmpty     = malformed("empty binary frame")
	errBinaryKind      = malformed("binary frame kind must be 0 (push)")
	errBinaryHeader    = malformed("binary header truncated")
	errBinaryFieldsLen = malformed("binary field lengths exceed the frame")
	errBinaryFieldUTF8 = malformed("binary header field is not valid UTF-8")
)

// decodeBinaryPush parses a client->server binary push:
// 0, len(join_ref), len(ref), len(topic), len(event), join_ref, ref, topic, event, payload...
// Header fields must be UTF-8, since they may be echoed in JSON text frames.
func decodeBinaryPush(data []byte) (Message, error) {
	if len(data) == 0 {
		return Message{}, errBinaryEmpty
	}
	if data[0] != kindPush {
		return Message{}, errBinaryKind
	}
	if len(data) < clientPushHeaderLen {
		return Message{}, errBinaryHeader
	}
	joinRefLen, refLen, topicLen, eventLen := int(data[1]), int(data[2]), int(data[3]), int(data[4])
	end := clientPushHeaderLen + joinRefLen + refLen + topicLen + eventLen
	if end > len(data) {
		return Message{}, errBinaryFieldsLen
	}
	fields := data[clientPushHeaderLen:end]
	if !utf8.Valid(fields) {
		return Message{}, errBinaryFieldUTF8
	}
	// The four fields are contiguous: one allocation, then substrings.
	s := string(fields)
	refEnd := joinRefLen + refLen
	topicEnd := refEnd + topicLen
	return Message{
		JoinRef: s[:joinRefLen],
		Ref:     s[joinRefLen:refEnd],
		Topic:   s[refEnd:topicEnd],
		Event:   s[topicEnd:],
		Binary:  data[end:len(data):len(data)],
	}, nil
}

// encodeBinaryMessage writes a server->client push (kind 0, no ref field) when m.JoinRef is set,
// otherwise a broadcast (kind 2).
func encodeBinaryMessage(m Message) (Frame, error) {
	if m.JoinRef == "" {
		if err := checkFields("topic", m.Topic, "event", m.Event); err != nil {
			return Frame{}, err
		}
		buf := make([]byte, 0, 3+len(m.Topic)+len(m.Event)+len(m.Binary))
		buf = append(buf, kindBroadcast, byte(len(m.Topic)), byte(len(m.Event)))
		buf = append(buf, m.Topic...)
		buf = append(buf, m.Event...)
		buf = append(buf, m.Binary...)
		return Frame{Data: buf, Binary: true}, nil
	}
	if err := checkFields("join_ref", m.JoinRef, "topic", m.Topic, "event", m.Event); err != nil {
		return Frame{}, err
	}
	buf := make([]byte, 0, 4+len(m.JoinRef)+len(m.Topic)+len(m.Event)+len(m.Binary))
	buf = append(buf, kindPush, byte(len(m.JoinRef)), byte(len(m.Topic)), byte(len(m.Event)))
	buf = append(buf, m.JoinRef...)
	buf = append(buf, m.Topic...)
	buf = append(buf, m.Event...)
	buf = append(buf, m.Binary...)
	return Frame{Data: buf, Binary: true}, nil
}

// encodeBinaryReply writes a reply (kind 1):
// 1, len(join_ref), len(ref), len(topic), len(status), join_ref, ref, topic, status, response...
func encodeBinaryReply(r Reply) (Frame, error) {
	if err := checkFields("join_ref", r.JoinRef, "ref", r.Ref, "topic", r.Topic, "status", r.Status); err != nil {
		return Frame{}, err
	}
	buf := make([]byte, 0, 5+len(r.JoinRef)+len(r.Ref)+len(r.Topic)+len(r.Status)+len(r.Binary))
	buf = append(buf, kindReply, byte(len(r.JoinRef)), byte(len(r.Ref)), byte(len(r.Topic)), byte(len(r.Status)))
	buf = append(buf, r.JoinRef...)
	buf = append(buf, r.Ref...)
	buf = append(buf, r.Topic...)
	buf = append(buf, r.Status...)
	buf = append(buf, r.Binary...)
	return Frame{Data: buf, Binary: true}, nil
}

// checkFields takes name, value pairs and reports the first value longer than MaxBinaryField.
func checkFields(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if len(pairs[i+1]) > MaxBinaryField {
			return fieldTooLong(pairs[i], len(pairs[i+1]))
		}
	}
	return nil
}
