package channels

import (
	"encoding/json"
	"time"

	"github.com/phxserver/phxserver/channels/permissions"
)

// stored is one history item: the event as delivered, with its time and sequence.
type stored struct {
	ev  *Event
	at  time.Time
	seq uint64
}

// appendHistory keeps ev in the channel's ring of capacity items.
func (n *Node) appendHistory(ev *Event, capacity int) {
	if n.history == nil {
		return
	}
	now := time.Now()
	item := &stored{ev: ev, at: now}
	item.seq = n.history.Append(ev.Topic, capacity, item, now)
}

// historyFor returns the topic's stored events that a member with this subject may receive,
// oldest first.
func (n *Node) historyFor(ch *Channel) []*stored {
	if n.history == nil || ch.set == nil || ch.set.History <= 0 {
		return nil
	}
	items := n.history.Last(ch.topic, ch.set.History)
	out := make([]*stored, 0, len(items))
	sub := subjectOf(ch.socket.identity.Load())
	for _, it := range items {
		st, ok := it.Data.(*stored)
		if !ok || !permissions.Receives(ch.perms, sub, st.ev.Audience) {
			continue
		}
		st.seq = it.Seq
		out = append(out, st)
	}
	return out
}

// phoenixHistoryItem is one history entry in a Phoenix join reply.
type phoenixHistoryItem struct {
	Seq     uint64          `json:"seq"`
	At      string          `json:"at"`
	Event   string          `json:"event"`
	Payload json.RawMessage `json:"payload"`
}

// withHistory adds {"history": [...]} to a Phoenix join reply.
func (n *Node) withHistory(ch *Channel, reply any) any {
	if n.history == nil {
		return reply
	}
	if reply != nil {
		if _, ok := reply.(map[string]any); !ok {
			return reply // a custom handler's reply we cannot extend
		}
	}
	items := n.historyFor(ch)
	list := make([]phoenixHistoryItem, 0, len(items))
	for _, st := range items {
		list = append(list, phoenixHistoryItem{Seq: st.seq, At: st.at.UTC().Format(time.RFC3339Nano), Event: st.ev.Name, Payload: st.ev.PhoenixPayload()})
	}
	out := map[string]any{}
	if m, ok := reply.(map[string]any); ok {
		for k, v := range m {
			out[k] = v
		}
	}
	out["history"] = list
	return out
}
