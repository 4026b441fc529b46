package web

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/phxserver/phxserver/channels"
)

// DashboardInterval is how often the dashboard's stats are broadcast.
const DashboardInterval = time.Second

// maxTopChannels bounds the channel list in a snapshot.
const maxTopChannels = 25

// Counters are the node's cumulative counters.
type Counters struct {
	MessagesIn      uint64 `json:"messages_in"`
	Broadcasts      uint64 `json:"broadcasts"`
	Deliveries      uint64 `json:"deliveries"`
	FramesOut       uint64 `json:"frames_out"`
	Joins           uint64 `json:"joins"`
	JoinRefusals    uint64 `json:"join_refusals"`
	SlowDisconnects uint64 `json:"slow_disconnects"`
	TriggerDenials  uint64 `json:"trigger_denials"`
}

// Rates are Counters per second over the last interval.
type Rates struct {
	MessagesIn      float64 `json:"messages_in"`
	Broadcasts      float64 `json:"broadcasts"`
	Deliveries      float64 `json:"deliveries"`
	FramesOut       float64 `json:"frames_out"`
	Joins           float64 `json:"joins"`
	JoinRefusals    float64 `json:"join_refusals"`
	SlowDisconnects float64 `json:"slow_disconnects"`
	TriggerDenials  float64 `json:"trigger_denials"`
}

// TransportCount is the number of sockets of one transport and dialect.
type TransportCount struct {
	Transport string `json:"transport"`
	Dialect   string `json:"dialect"`
	Count     int    `json:"count"`
}

// ChannelCount is one channel and its local members.
type ChannelCount struct {
	Topic   string `json:"topic"`
	Members int    `json:"members"`
}

// Snapshot is the payload of the dashboard's "stats" event and of its join reply.
type Snapshot struct {
	Node        string           `json:"node"`
	At          int64            `json:"at"` // unix milliseconds
	Connections int64            `json:"connections"`
	Transports  []TransportCount `json:"transports"`
	Channels    int              `json:"channels"`
	Members     int              `json:"members"`
	TopChannels []ChannelCount   `json:"top_channels"`
	Totals      Counters         `json:"totals"`
	Rates       Rates            `json:"rates"`
}

func readCounters(st *channels.Stats) Counters {
	return Counters{
		MessagesIn: st.MessagesIn.Load(), Broadcasts: st.Broadcasts.Load(), Deliveries: st.Deliveries.Load(),
		FramesOut: st.FramesOut.Load(), Joins: st.Joins.Load(), JoinRefusals: st.JoinsRefused.Load(),
		SlowDisconnects: st.SlowDisconnects.Load(), TriggerDenials: st.TriggerDenials.Load(),
	}
}

// ratesBetween divides the counter increases by dt; a counter that went backwards (it cannot,
// but a zero prev after a reset looks alike) yields 0.
func ratesBetween(prev, cur Counters, dt time.Duration) Rates {
	secs := dt.Seconds()
	per := func(a, b uint64) float64 {
		if secs <= 0 || b < a {
			return 0
		}
		return float64(b-a) / secs
	}
	return Rates{
		MessagesIn: per(prev.MessagesIn, cur.MessagesIn), Broadcasts: per(prev.Broadcasts, cur.Broadcasts),
		Deliveries: per(prev.Deliveries, cur.Deliveries), FramesOut: per(prev.FramesOut, cur.FramesOut),
		Joins: per(prev.Joins, cur.Joins), JoinRefusals: per(prev.JoinRefusals, cur.JoinRefusals),
		SlowDisconnects: per(prev.SlowDisconnects, cur.SlowDisconnects),
		TriggerDenials:  per(prev.TriggerDenials, cur.TriggerDenials),
	}
}

// sampler remembers the previous sample to turn counters into rates.
type sampler struct {
	mu     sync.Mutex
	prev   Counters  // guarded by mu
	prevAt time.Time // guarded by mu; zero = no previous sample
	rates  Rates     // guarded by mu; the last computed rates
}

// build assembles a snapshot from the source and the given topic counts and rates.
func build(src DashboardSource, topics map[string]int, now time.Time, totals Counters, rates Rates) Snapshot {
	snap := Snapshot{
		Node: src.ID(), At: now.UnixMilli(), Totals: totals, Rates: rates,
		Connections: src.Stats().Connections.Load(), Channels: len(topics),
		Transports: []TransportCount{}, TopChannels: []ChannelCount{},
	}
	for key, n := range src.ConnectionsBy() {
		snap.Transports = append(snap.Transports, TransportCount{Transport: key.Transport, Dialect: key.Dialect, Count: n})
	}
	slices.SortFunc(snap.Transports, func(a, b TransportCount) int {
		return cmp.Or(cmp.Compare(a.Transport, b.Transport), cmp.Compare(a.Dialect, b.Dialect))
	})
	for topic, n := range topics {
		snap.Members += n
		snap.TopChannels = append(snap.TopChannels, ChannelCount{Topic: topic, Members: n})
	}
	slices.SortFunc(snap.TopChannels, func(a, b ChannelCount) int {
		return cmp.Or(cmp.Compare(b.Members, a.Members), cmp.Compare(a.Topic, b.Topic))
	})
	if len(snap.TopChannels) > maxTopChannels {
		snap.TopChannels = snap.TopChannels[:maxTopChannels]
	}
	return snap
}

// current is a snapshot with the last computed rates (the join reply); it does not advance
// the sampler.
func (s *sampler) current(src DashboardSource) Snapshot {
	s.mu.Lock()
	rates := s.rates
	s.mu.Unlock()
	return build(src, src.TopicCounts(), time.Now(), readCounters(src.Stats()), rates)
}

// next advances the sampler to now and returns the snapshot.
func (s *sampler) next(src DashboardSource, topics map[string]int, now time.Time) Snapshot {
	cur := readCounters(src.Stats())
	s.mu.Lock()
	if !s.prevAt.IsZero() {
		s.rates = ratesBetween(s.prev, cur, now.Sub(s.prevAt))
	}
	s.prev, s.prevAt = cur, now
	rates := s.rates
	s.mu.Unlock()
	return build(src, topics, now, cur, rates)
}

// reset forgets the previous sample, so rates restart when a viewer joins again.
func (s *sampler) reset() {
	s.mu.Lock()
	s.prevAt, s.rates = time.Time{}, Rates{}
	s.mu.Unlock()
}

// Tick broadcasts one "stats" event when a viewer is joined on this node and reports
// whether it did.
func (d *Dashboard) Tick(ctx context.Context, now time.Time) bool {
	topics := d.src.TopicCounts()
	if topics[DashboardTopic] == 0 {
		d.sampler.reset()
		return false
	}
	payload, err := json.Marshal(d.sampler.next(d.src, topics, now))
	if err != nil {
		return false
	}
	d.src.Broadcast(ctx, channels.BroadcastRequest{Topic: DashboardTopic, Event: "stats", Payload: payload})
	return true
}

// Run ticks every DashboardInterval until ctx is done; register it as a server runner.
func (d *Dashboard) Run(ctx context.Context) error {
	t := time.NewTicker(DashboardInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			d.Tick(ctx, now)
		}
	}
}
