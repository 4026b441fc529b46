package channels

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/presence"
	"github.com/phxserver/phxserver/protocol"
)

// EventKind says what a fanned-out Event carries.
type EventKind uint8

const (
	// EventClient is a message sent by a client (Phoenix push, Xano message).
	EventClient EventKind = iota + 1
	// EventServer is a broadcast from the server API or an embedding program.
	EventServer
	// EventPresence is a merged presence diff.
	EventPresence
)

// Sender is the trusted description of who sent a client message, computed once per
// connection. Receivers rely on it: clients cannot forge it.
type Sender struct {
	ClientID      string
	Authenticated bool
	UserID        string
	Role          string
	// PhoenixJSON is the `sender` object injected into object payloads for Phoenix members.
	PhoenixJSON []byte
	// XanoJSON is the Xano `client` object {socketId, extras, permissions}.
	XanoJSON []byte
}

// Event is one message fanned out to the members of a topic. It is immutable once published,
// except for its per-dialect encode cache, which only the publishing goroutine touches.
type Event struct {
	Kind  EventKind
	Topic string
	// Name is the event name Phoenix members see ("message" for Xano messages).
	Name string
	// Payload is the JSON payload as sent (nil when Binary is set).
	Payload json.RawMessage
	// Binary is a binary payload (Phoenix V2 binary frames only).
	Binary []byte
	// Sender is set for EventClient.
	Sender *Sender
	// Audience, TargetClient and TargetUser address the event (§4 of the contract).
	Audience     permissions.Audience
	TargetClient string
	TargetUser   string
	// XanoDboID/XanoRowID are the server event's auth_table/auth_id echo for Xano frames.
	XanoDboID, XanoRowID any
	// Diff is set for EventPresence; Waiting are conns that get the snapshot instead of the diff.
	Diff    *presence.Diff
	Waiting map[string]struct{}

	// encoded caches the frames of each dialect slot; filled lazily during fan-out.
	encoded [numSlots]encodedFrames
	// phoenixPayload caches the payload with the server-set sender injected.
	phoenixPayload json.RawMessage
	// xanoAuth caches the Xano auth_table/auth_id filter as text (reachesXanoAuth).
	xanoAuth struct {
		done     bool
		dbo, row string
	}
}

type encodedFrames struct {
	done   bool
	frames []OutFrame
}

// OutFrame is one encoded frame of an event, with an optional member it must skip (a Xano
// presence_update about a client is not sent to that client itself).
type OutFrame struct {
	protocol.Frame
	SkipClient string
}

// Encode slots: one per serializer, so that a broadcast is encoded at most once per dialect.
const (
	SlotPhoenixV1 = iota
	SlotPhoenixV2
	SlotXano
	numSlots
)

// Dialect turns core events into the frames of one wire dialect. Implementations must be
// safe for concurrent use; the core calls them from many goroutines.
type Dialect interface {
	// Slot is the encode-cache index of this dialect (SlotPhoenixV1, SlotPhoenixV2, SlotXano).
	Slot() int
	// Name identifies the dialect in logs and metrics.
	Name() string
	// EncodeEvent encodes an event for every member of this dialect.
	EncodeEvent(ev *Event) []OutFrame
	// EncodePresenceState encodes the presence state pushed to one member after it joined.
	EncodePresenceState(ch *Channel, snap *presence.Snapshot) []protocol.Frame
	// EncodeClose encodes the notice that the server closed ch (Phoenix phx_close); may be nil.
	EncodeClose(ch *Channel) []protocol.Frame
	// EncodeCrash encodes the notice that ch's handler failed (Phoenix phx_error); may be nil.
	EncodeCrash(ch *Channel) []protocol.Frame
	// ReconnectCode is the WebSocket close code that makes this dialect's client reconnect.
	ReconnectCode() int
}

// framesFor returns ev's frames for d, encoding them on first use.
func (ev *Event) framesFor(d Dialect) []OutFrame {
	e := &ev.encoded[d.Slot()]
	if !e.done {
		e.frames = d.EncodeEvent(ev)
		e.done = true
	}
	return e.frames
}

// PhoenixPayload is the payload Phoenix members receive: for a client event with an object
// payload, the payload with the server-set `sender` object (replacing any client-written one);
// otherwise the payload unchanged.
func (ev *Event) PhoenixPayload() json.RawMessage {
	if ev.phoenixPayload != nil {
		return ev.phoenixPayload
	}
	p := ev.Payload
	if ev.Kind == EventClient && ev.Sender != nil {
		p = withSender(ev.Payload, ev.Sender.PhoenixJSON)
	}
	ev.phoenixPayload = p
	return p
}

// withSender returns obj with "sender": sender set, or obj unchanged if it is not an object.
func withSender(obj json.RawMessage, sender []byte) json.RawMessage {
	trimmed := bytes.TrimSpace(obj)
	if len(trimmed) < 2 || trimmed[0] != '{' {
		return obj
	}
	if !bytes.Contains(trimmed, []byte(`"sender"`)) {
		// Fast path: splice before the closing brace.
		body := bytes.TrimSpace(trimmed[1 : len(trimmed)-1])
		out := make([]byte, 0, len(trimmed)+len(sender)+12)
		out = append(out, '{')
		if len(body) > 0 {
			out = append(out, body...)
			out = append(out, ',')
		}
		out = append(out, `"sender":`...)
		out = append(out, sender...)
		return append(out, '}')
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &m); err != nil {
		return obj
	}
	m["sender"] = sender
	out, err := json.Marshal(m)
	if err != nil {
		return obj
	}
	return out
}

// receives reports whether member ch gets ev (audience and presence filters).
func (ev *Event) receives(ch *Channel) bool {
	switch ev.Kind {
	case EventPresence:
		if !ch.receivesPresence {
			return false
		}
		_, waiting := ev.Waiting[ch.clientID]
		return !waiting
	}
	if ev.Kind == EventServer && (ev.XanoDboID != nil || ev.XanoRowID != nil) && !ev.reachesXanoAuth(ch) {
		return false
	}
	switch ev.Audience {
	case permissions.AudienceAuthenticated:
		return ch.authenticated
	case permissions.AudiencePrivate:
		if ev.TargetClient != "" {
			return ch.clientID == ev.TargetClient
		}
		return ch.authenticated && ch.userID == ev.TargetUser
	}
	return true
}

// reachesXanoAuth applies a server event's Xano auth_table/auth_id (XanoDboID/XanoRowID): when
// set (not nil, 0 or ""), only members authenticated against that table, and that row, receive
// it (xano-realtime.md §6).
func (ev *Event) reachesXanoAuth(ch *Channel) bool {
	if !ev.xanoAuth.done { // once per event: fan-out calls this for every member
		ev.xanoAuth.dbo, ev.xanoAuth.row = xanoIDText(ev.XanoDboID), xanoIDText(ev.XanoRowID)
		ev.xanoAuth.done = true
	}
	want := &ev.xanoAuth
	if want.dbo == "" && want.row == "" {
		return true
	}
	id := ch.socket.identity.Load()
	if !id.Authenticated {
		return false
	}
	return (want.dbo == "" || want.dbo == xanoIDText(id.XanoDboID)) &&
		(want.row == "" || want.row == xanoIDText(id.XanoRowID))
}

// xanoIDText renders a Xano id for comparison: 42, 42.0 (from JSON) and "42" are the same id;
// nil, 0 and "" mean none and render as "".
func xanoIDText(v any) string {
	if v == nil {
		return ""
	}
	s := strings.TrimSuffix(fmt.Sprint(v), ".0")
	if s == "0" {
		return ""
	}
	return s
}
