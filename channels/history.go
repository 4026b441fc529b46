package channels

import (
	"encoding/json"
	"time"

	"github.com/phxserver/phxserver/channels/permissions"
)

// StoredEvent is one history item: a public or authenticated-audience client message as it
// was delivered, with its per-channel sequence number and time.
type StoredEvent struct {
	Event *Event
	At    time.Time
	Seq   uint64
}

// HistoryStore persists history so that it survives a restart (engine.history_path). Save
// must never block; LoadAll replays what was saved, oldest first per channel.
type HistoryStore interface {
	Save(channel string, seq uint64, at time.Time, data []byte, keep int)
	LoadAll(fn func(channel string, seq uint64, at time.Time, data []byte)) error
}

// appendHistory keeps ev in the channel's ring of capacity items (and in the durable store).
func (n *Node) appendHistory(ev *Event, capacity int) {
	now := time.Now()
	seq := n.history.Append(ev.Topic, capacity, ev, now)
	if n.historyStore != nil {
		if data, err := json.Marshal(toRemote(ev)); err == nil {
			n.historyStore.Save(ev.Topic, seq, now, data, capacity)
		}
	}
}

// loadHistory fills the memory rings from the durable store. Sequence numbers restart from 1
// per channel in the rings; the stored time is kept.
func (n *Node) loadHistory() error {
	if n.historyStore == nil {
		return nil
	}
	return n.historyStore.LoadAll(func(channel string, _ uint64, at time.Time, data []byte) {
		var r remoteEvent
		if json.Unmarshal(data, &r) != nil {
			return
		}
		capacity := 0
		if m, ok := n.policy.Load().Match(channel); ok {
			capacity = m.Set.History
		}
		n.history.Append(channel, capacity, fromRemote(&r), at)
	})
}

// ChannelHistory returns up to limit stored events of topic, oldest first (limit <= 0: all
// kept), unfiltered: for the server API.
func (n *Node) ChannelHistory(topic string, limit int) []StoredEvent {
	items := n.history.Last(topic, limit)
	out := make([]StoredEvent, 0, len(items))
	for _, it := range items {
		if ev, ok := it.Data.(*Event); ok {
			out = append(out, StoredEvent{Event: ev, At: it.Time, Seq: it.Seq})
		}
	}
	return out
}

// History returns the stored events of ch's topic that this member may receive, oldest first.
func (n *Node) History(ch *Channel) []StoredEvent {
	if ch.set == nil || ch.set.History <= 0 {
		return nil
	}
	all := n.ChannelHistory(ch.topic, ch.set.History)
	sub := subjectOf(ch.socket.identity.Load())
	out := all[:0]
	for _, st := range all {
		if permissions.Receives(ch.perms, sub, st.Event.Audience) {
			out = append(out, st)
		}
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

// withHistory adds {"history": [...]} (oldest first) to a Phoenix join reply.
func (n *Node) withHistory(ch *Channel, reply any) any {
	out := map[string]any{}
	switch r := reply.(type) {
	case nil:
	case map[string]any:
		for k, v := range r {
			out[k] = v
		}
	default:
		return reply // a custom handler's reply we cannot extend
	}
	items := n.History(ch)
	list := make([]phoenixHistoryItem, 0, len(items))
	for _, st := range items {
		list = append(list, phoenixHistoryItem{Seq: st.Seq, At: st.At.UTC().Format(time.RFC3339Nano), Event: st.Event.Name, Payload: st.Event.PhoenixPayload()})
	}
	out["history"] = list
	return out
}
