// Package pubsub defines the Broker port that connects the nodes of a cluster, and an
// in-memory implementation. It imports only the standard library.
package pubsub

import "context"

// Envelope is one message between nodes. The core decides what Data means from Kind; the
// broker treats it as opaque bytes.
type Envelope struct {
	// Channel is the broker channel the envelope is published on (a concrete topic, or an
	// internal channel such as the presence replication channel).
	Channel string
	// Node is the id of the publishing node. Brokers never deliver an envelope back to the
	// node that published it.
	Node string
	// Kind tells the receiver how to decode Data.
	Kind uint8
	// Data is the opaque payload.
	Data []byte
}

// Broker carries envelopes between nodes. Local delivery is the core's job; a broker only
// delivers to other nodes subscribed to the envelope's channel.
type Broker interface {
	// Publish sends e to every other node subscribed to e.Channel.
	Publish(ctx context.Context, e Envelope) error
	// Subscribe makes this node receive envelopes published on channel. Subscriptions are
	// counted: n Subscribes need n Unsubscribes.
	Subscribe(ctx context.Context, channel string) error
	// Unsubscribe undoes one Subscribe.
	Unsubscribe(ctx context.Context, channel string) error
	// Run delivers incoming envelopes to deliver, one at a time, until ctx is done. It returns
	// ctx.Err() on a normal stop.
	Run(ctx context.Context, deliver func(Envelope)) error
}
