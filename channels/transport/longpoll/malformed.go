package longpoll

import (
	"encoding/json"
	"strings"

	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/protocol"
)

// rejectFrame answers a posted frame that cannot be used: with an error reply when its
// topic and ref can still be read (like the WebSocket transport), otherwise it is dropped.
// Unlike WebSocket, it never ends the session: the other lines of the batch are unrelated.
// The warning is rate-limited by the node.
func (s *session) rejectFrame(f inFrame, err error) {
	sock := s.socket()
	reason := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "protocol: "), "longpoll: ")
	id := sock.ClientID()
	sock.Node().Warn("malformed_frame", func(e *zerolog.Event) { e.Str("client_id", id).Str("transport", "longpoll") },
		"malformed frame from client: "+reason)
	if f.binary {
		return
	}
	joinRef, ref, topic, ok := replyAddress(s.ser, f.data)
	if !ok {
		return
	}
	resp, _ := json.Marshal(map[string]string{"reason": reason})
	if out, err := s.ser.EncodeReply(protocol.Reply{JoinRef: joinRef, Ref: ref, Topic: topic, Status: "error", Response: resp}); err == nil {
		sock.Enqueue(out)
	}
}

// replyAddress reads the join_ref, ref and topic of a text frame that failed to decode:
// a V2 array with string ref and topic, or a V1 object with them.
func replyAddress(ser protocol.Serializer, data []byte) (joinRef, ref, topic string, ok bool) {
	if ser.Version() == protocol.V2 {
		var parts []json.RawMessage
		if json.Unmarshal(data, &parts) != nil || len(parts) < 3 {
			return "", "", "", false
		}
		if json.Unmarshal(parts[1], &ref) != nil || json.Unmarshal(parts[2], &topic) != nil || ref == "" {
			return "", "", "", false
		}
		_ = json.Unmarshal(parts[0], &joinRef)
		return joinRef, ref, topic, true
	}
	var obj struct {
		JoinRef *string `json:"join_ref"`
		Ref     *string `json:"ref"`
		Topic   *string `json:"topic"`
	}
	if json.Unmarshal(data, &obj) != nil || obj.Ref == nil || obj.Topic == nil || *obj.Ref == "" {
		return "", "", "", false
	}
	if obj.JoinRef != nil {
		joinRef = *obj.JoinRef
	}
	return joinRef, *obj.Ref, *obj.Topic, true
}
