package presence

import "encoding/json"

// Replication message types (wireMsg.Type).
const (
	msgDelta       = "d" // Ops: joins and leaves of the sender's local entries, numbered by Seq
	msgHeartbeat   = "h" // Seq: the sender's last delta; Count: its local entries
	msgSyncRequest = "q" // To: the node asked, or "" for every node
	msgState       = "s" // To: the requester; Ops: every local entry (joins); Seq: last delta
)

// wireMsg is one replication envelope's Data, JSON encoded. The sending node is the
// envelope's Node, set by the broker.
type wireMsg struct {
	Type string `json:"t"`
	// Incarnation is random per Tracker; a change means the node restarted under the same id.
	Incarnation uint64   `json:"i"`
	Seq         uint64   `json:"s,omitempty"`
	To          string   `json:"to,omitempty"`
	Count       int64    `json:"n,omitempty"`
	Ops         []wireOp `json:"o,omitempty"`
}

// wireOp is one join or leave of an entry.
type wireOp struct {
	Leave bool            `json:"l,omitempty"`
	Topic string          `json:"t"`
	Key   string          `json:"k,omitempty"`
	Conn  string          `json:"c,omitempty"`
	Ref   string          `json:"r"`
	Meta  json.RawMessage `json:"m,omitempty"`
	Extra json.RawMessage `json:"x,omitempty"`
}

func joinOp(topic string, e *Entry) wireOp {
	return wireOp{Topic: topic, Key: e.Key, Conn: e.ConnID, Ref: e.ref, Meta: e.metaJSON, Extra: e.Extra}
}

func leaveOp(topic string, e *Entry) wireOp {
	return wireOp{Leave: true, Topic: topic, Key: e.Key, Conn: e.ConnID, Ref: e.ref}
}
