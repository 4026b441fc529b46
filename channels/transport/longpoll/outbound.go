package longpoll

import (
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/protocol"
)

// messages turns drained frames into the strings of a poll's "messages" array. The client
// JSON.parses every message, so binary frames cannot travel: an empty binary reply (the ack
// of a binary push) is re-encoded as the equivalent JSON reply; any other binary frame is
// dropped with a warning logged once per session.
func (s *session) messages(frames []protocol.Frame) []string {
	out := make([]string, 0, len(frames))
	for _, f := range frames {
		if !f.Binary {
			out = append(out, string(f.Data))
			continue
		}
		if text, ok := emptyBinaryReplyAsText(s.ser, f.Data); ok {
			out = append(out, text)
			continue
		}
		s.warnBinary()
	}
	return out
}

func (s *session) warnBinary() {
	if !s.binaryWarned.CompareAndSwap(false, true) {
		return
	}
	if sock := s.socket(); sock != nil {
		id := sock.ClientID()
		sock.Node().Warn("longpoll_binary", func(e *zerolog.Event) { e.Str("client_id", id) },
			"binary frames cannot be sent over LongPoll; dropped")
	}
}

// binaryReplyKind is the first byte of a V2 binary reply:
// 1, len(join_ref), len(ref), len(topic), len(status), join_ref, ref, topic, status, payload.
const (
	binaryReplyKind      = 1
	binaryReplyHeaderLen = 5
)

// emptyBinaryReplyAsText re-encodes a V2 binary reply without payload as a JSON reply with
// an empty response object.
func emptyBinaryReplyAsText(ser protocol.Serializer, data []byte) (string, bool) {
	if len(data) < binaryReplyHeaderLen || data[0] != binaryReplyKind {
		return "", false
	}
	joinRefLen, refLen, topicLen, statusLen := int(data[1]), int(data[2]), int(data[3]), int(data[4])
	end := binaryReplyHeaderLen + joinRefLen + refLen + topicLen + statusLen
	if end != len(data) { // a payload has no JSON form (or the header is inconsistent)
		return "", false
	}
	fields := data[binaryReplyHeaderLen:end]
	if !utf8.Valid(fields) {
		return "", false
	}
	f := string(fields)
	refEnd := joinRefLen + refLen
	topicEnd := refEnd + topicLen
	frame, err := ser.EncodeReply(protocol.Reply{
		JoinRef: f[:joinRefLen], Ref: f[joinRefLen:refEnd], Topic: f[refEnd:topicEnd], Status: f[topicEnd:],
	})
	if err != nil || frame.Binary {
		return "", false
	}
	return string(frame.Data), true
}
