package channels

import (
	"context"
	"encoding/json"

	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/channels/pubsub"
	"github.com/phxserver/phxserver/presence"
)

// envelopeKindEvent marks broker envelopes that carry a fanned-out Event.
const envelopeKindEvent uint8 = 1

// remoteEvent is an Event as it travels between nodes.
type remoteEvent struct {
	Kind         EventKind            `json:"k"`
	Topic        string               `json:"t"`
	Name         string               `json:"n"`
	Payload      json.RawMessage      `json:"p,omitempty"`
	Binary       []byte               `json:"b,omitempty"`
	Sender       *Sender              `json:"s,omitempty"`
	Audience     permissions.Audience `json:"a,omitempty"`
	TargetClient string               `json:"tc,omitempty"`
	TargetUser   string               `json:"tu,omitempty"`
	XanoDboID    any                  `json:"xd,omitempty"`
	XanoRowID    any                  `json:"xr,omitempty"`
}

func toRemote(ev *Event) remoteEvent {
	return remoteEvent{
		Kind: ev.Kind, Topic: ev.Topic, Name: ev.Name, Payload: ev.Payload, Binary: ev.Binary,
		Sender: ev.Sender, Audience: ev.Audience, TargetClient: ev.TargetClient, TargetUser: ev.TargetUser,
		XanoDboID: ev.XanoDboID, XanoRowID: ev.XanoRowID,
	}
}

func fromRemote(r *remoteEvent) *Event {
	return &Event{Kind: r.Kind, Topic: r.Topic, Name: r.Name, Payload: r.Payload, Binary: r.Binary,
		Sender: r.Sender, Audience: r.Audience, TargetClient: r.TargetClient, TargetUser: r.TargetUser,
		XanoDboID: r.XanoDboID, XanoRowID: r.XanoRowID}
}

func encodeRemoteEvent(node string, ev *Event) (pubsub.Envelope, error) {
	data, err := json.Marshal(toRemote(ev))
	if err != nil {
		return pubsub.Envelope{}, err
	}
	return pubsub.Envelope{Channel: ev.Topic, Node: node, Kind: envelopeKindEvent, Data: data}, nil
}

// deliverRemote handles an envelope from another node.
func (n *Node) deliverRemote(e pubsub.Envelope) {
	switch e.Kind {
	case presence.EnvelopeKind:
		n.tracker.HandleRemote(e)
	case envelopeKindEvent:
		var r remoteEvent
		if err := json.Unmarshal(e.Data, &r); err != nil {
			n.Warn("broker_decode", nil, "undecodable broker envelope: "+err.Error())
			return
		}
		n.fanout(fromRemote(&r))
	}
}

// topicChanged notes that a topic gained its first or lost its last local member.
func (n *Node) topicChanged(topic string) {
	if n.broker == nil {
		return
	}
	select {
	case n.topicCh <- topic:
	default:
		n.Warn("subscriptions", nil, "subscription queue full; a topic subscription may lag")
	}
}

// reconcileSubscriptions keeps the broker subscribed to exactly the topics with local members.
// It runs alone, so broker calls never happen under a hub lock and never race each other.
func (n *Node) reconcileSubscriptions(ctx context.Context) error {
	subscribed := make(map[string]bool)
	for {
		select {
		case <-ctx.Done():
			return nil
		case topic := <-n.topicCh:
			want := n.hub.count(topic) > 0
			if want == subscribed[topic] {
				continue
			}
			var err error
			if want {
				err = n.broker.Subscribe(ctx, topic)
			} else {
				err = n.broker.Unsubscribe(ctx, topic)
			}
			if err != nil {
				n.Warn("broker_subscribe", nil, "broker subscription change failed: "+err.Error())
				continue
			}
			if want {
				subscribed[topic] = true
			} else {
				delete(subscribed, topic)
			}
		}
	}
}
