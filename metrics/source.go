package metrics

import (
	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/presence"
)

// Source is what the collector reads from a node at scrape time; *channels.Node satisfies it.
type Source interface {
	Stats() *channels.Stats
	ConnectionsBy() map[channels.ConnKey]int
	TopicCounts() map[string]int
	Tracker() *presence.Tracker
	Draining() bool
}

var _ Source = (*channels.Node)(nil)
