package web

import (
	"context"
	"encoding/json"

	"github.com/phxserver/phxserver/channels"
)

// DashboardTopic is the server's own channel feeding the dashboard page.
const DashboardTopic = "phxserver:dashboard"

// DashboardSource is what the dashboard reads; *channels.Node satisfies it.
type DashboardSource interface {
	ID() string
	Stats() *channels.Stats
	ConnectionsBy() map[channels.ConnKey]int
	TopicCounts() map[string]int
	Broadcast(ctx context.Context, req channels.BroadcastRequest)
}

var _ DashboardSource = (*channels.Node)(nil)

// Dashboard is the channels.Handler of DashboardTopic: viewers join (demo mode, or with an API
// key in the join payload {"api_key": "..."}) and receive a "stats" event every second.
type Dashboard struct {
	src     DashboardSource
	allowed func(apiKey string) bool
	sampler sampler
}

// NewDashboard returns the handler; allowed decides whether a join payload's API key (possibly
// "") may watch.
func NewDashboard(src DashboardSource, allowed func(apiKey string) bool) *Dashboard {
	return &Dashboard{src: src, allowed: allowed}
}

var _ channels.Handler = (*Dashboard)(nil)

type dashboardJoin struct {
	APIKey string `json:"api_key"`
}

// Join admits a viewer and replies with the current snapshot.
func (d *Dashboard) Join(_ context.Context, _ *channels.Channel, payload json.RawMessage) (any, error) {
	var req dashboardJoin
	_ = json.Unmarshal(payload, &req) // anything but an object with a string api_key means no key
	if !d.allowed(req.APIKey) {
		if req.APIKey == "" {
			return nil, channels.Refuse("unauthorized: the dashboard needs an API key (?key=...)")
		}
		return nil, channels.Refuse("unauthorized: invalid API key")
	}
	return d.sampler.current(d.src), nil
}

// HandleIn refuses every client event: the dashboard channel is read-only.
func (d *Dashboard) HandleIn(context.Context, *channels.Channel, string, channels.Payload) (any, error) {
	return nil, channels.Refuse("the dashboard channel is read-only")
}
