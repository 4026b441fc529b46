package webhooks

import (
	"fmt"
	"net/url"
	"slices"

	"github.com/phxserver/phxserver/channels/permissions"
)

// Webhook event names (config `webhooks[].events`).
const (
	EventMessage  = "message"
	EventJoin     = "join"
	EventLeave    = "leave"
	EventPresence = "presence"
)

// AllEvents are the events an endpoint receives when it lists none.
var AllEvents = []string{EventMessage, EventJoin, EventLeave, EventPresence}

// Endpoint is one receiver of asynchronous events.
type Endpoint struct {
	// URL is an http(s) URL the events are POSTed to.
	URL string
	// Channels are channel patterns (permissions pattern grammar); at least one.
	Channels []string
	// Events ⊆ AllEvents; empty means all.
	Events []string
	// Secret signs each body (SignatureHeader); empty = unsigned.
	Secret string
}

// eventMask is a bit per webhook event, so matching on the hot path does not compare strings.
type eventMask uint8

const (
	maskMessage eventMask = 1 << iota
	maskJoin
	maskLeave
	maskPresence
)

var maskOf = map[string]eventMask{EventMessage: maskMessage, EventJoin: maskJoin, EventLeave: maskLeave, EventPresence: maskPresence}

// endpoint is a compiled Endpoint.
type endpoint struct {
	url      string
	patterns []permissions.Pattern
	events   eventMask
	secret   []byte
}

func compileEndpoint(e Endpoint) (*endpoint, error) {
	u, err := url.Parse(e.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: url %q is not an http(s) URL", ErrInvalidEndpoint, e.URL)
	}
	if len(e.Channels) == 0 {
		return nil, fmt.Errorf("%w: %s: no channel patterns", ErrInvalidEndpoint, e.URL)
	}
	out := &endpoint{url: e.URL}
	if e.Secret != "" {
		out.secret = []byte(e.Secret)
	}
	for _, p := range e.Channels {
		pat, err := permissions.CompilePattern(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalidEndpoint, e.URL, err)
		}
		out.patterns = append(out.patterns, pat)
	}
	events := e.Events
	if len(events) == 0 {
		events = AllEvents
	}
	for _, ev := range events {
		m, ok := maskOf[ev]
		if !ok {
			return nil, fmt.Errorf("%w: %s: unknown event %q", ErrInvalidEndpoint, e.URL, ev)
		}
		out.events |= m
	}
	return out, nil
}

// wants reports whether the endpoint receives event on channel.
func (e *endpoint) wants(event eventMask, channel string) bool {
	if e.events&event == 0 {
		return false
	}
	return slices.ContainsFunc(e.patterns, func(p permissions.Pattern) bool {
		_, ok := p.Match(channel)
		return ok
	})
}
