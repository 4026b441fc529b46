package webhooks

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/phxserver/phxserver/presence"
)

// Client describes the member an event is about (no token claims: receivers are third parties).
type Client struct {
	ClientID      string `json:"client_id"`
	Authenticated bool   `json:"authenticated"`
	UserID        string `json:"user_id,omitempty"`
	Role          string `json:"role,omitempty"`
}

// PresenceEntry is one member in a presence event's joins or leaves.
type PresenceEntry struct {
	Key      string         `json:"key"`
	ClientID string         `json:"client_id"`
	Meta     map[string]any `json:"meta,omitempty"`
}

// Body is the JSON document POSTed for every event. ID is stable across retries so that
// receivers can de-duplicate (delivery is at-least-once).
type Body struct {
	ID      string    `json:"id"`
	Event   string    `json:"event"`
	Channel string    `json:"channel"`
	Time    time.Time `json:"time"`
	Client  *Client   `json:"client,omitempty"`
	// MessageEvent is the Phoenix event name of a message ("message" for Xano clients).
	MessageEvent string `json:"message_event,omitempty"`
	// Audience of a message: public, authenticated or private.
	Audience string          `json:"audience,omitempty"`
	Payload  json.RawMessage `json:"payload,omitempty"`
	Joins    []PresenceEntry `json:"joins,omitempty"`
	Leaves   []PresenceEntry `json:"leaves,omitempty"`
}

// job is one event queued for one endpoint. Payload and diff entries are shared, immutable
// data of the core; the body is encoded on a worker, never on the caller's goroutine.
type job struct {
	ep       *endpoint
	event    string
	channel  string
	at       time.Time
	id       uuid.UUID
	client   *Client
	msgEvent string
	audience string
	payload  json.RawMessage
	joins    []presence.Entry
	leaves   []presence.Entry
}

func (j *job) encode() ([]byte, error) {
	b := Body{
		ID: j.id.String(), Event: j.event, Channel: j.channel, Time: j.at, Client: j.client,
		MessageEvent: j.msgEvent, Audience: j.audience, Payload: j.payload,
		Joins: entries(j.joins), Leaves: entries(j.leaves),
	}
	if len(b.Payload) > 0 && !json.Valid(b.Payload) {
		b.Payload = nil // never let a malformed payload break the whole document
	}
	return json.Marshal(b)
}

func entries(in []presence.Entry) []PresenceEntry {
	if len(in) == 0 {
		return nil
	}
	out := make([]PresenceEntry, len(in))
	for i, e := range in {
		out[i] = PresenceEntry{Key: e.Key, ClientID: e.ConnID, Meta: e.Meta}
	}
	return out
}
