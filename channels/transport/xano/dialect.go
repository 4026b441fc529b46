package xano

import (
	"bytes"
	"encoding/json"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/presence"
	"github.com/phxserver/phxserver/protocol"
	xproto "github.com/phxserver/phxserver/protocol/xano"
)

// dialect encodes core events as Xano frames. A binary payload has no Xano form and is not
// delivered to Xano members.
type dialect struct{}

// Dialect is the Xano realtime dialect of the core.
var Dialect channels.Dialect = dialect{}

func (dialect) Slot() int          { return channels.SlotXano }
func (dialect) Name() string       { return "xano" }
func (dialect) ReconnectCode() int { return channels.CloseXanoReconnect }

func text(b []byte) protocol.Frame { return protocol.Frame{Data: b} }

func (dialect) EncodeEvent(ev *channels.Event) []channels.OutFrame {
	switch ev.Kind {
	case channels.EventPresence:
		return presenceUpdates(ev.Topic, ev.Diff)
	case channels.EventServer:
		if ev.Binary != nil {
			return nil
		}
		return []channels.OutFrame{{Frame: text(xproto.EncodeEvent(ev.Topic, ev.Payload, ev.XanoDboID, ev.XanoRowID))}}
	default:
		if ev.Binary != nil || ev.Sender == nil {
			return nil
		}
		return []channels.OutFrame{{Frame: text(messageFrame(ev))}}
	}
}

// messageFrame is the Xano form of a client message: a Phoenix event other than "message"
// keeps its name in options.event.
func messageFrame(ev *channels.Event) []byte {
	from := xproto.Client{Raw: ev.Sender.XanoJSON}
	authenticated := ev.Audience == permissions.AudienceAuthenticated
	payload := ev.Payload
	if bytes.Contains(payload, []byte(`"sender"`)) {
		// A client-written "sender" must not reach anyone: replace it with the server's, as
		// Phoenix members get it (the client object remains the authoritative sender).
		payload = ev.PhoenixPayload()
	}
	if ev.Name == "message" {
		return xproto.EncodeMessage(ev.Topic, from, authenticated, ev.TargetClient, payload)
	}
	return xproto.EncodeMessageEvent(ev.Topic, ev.Name, from, authenticated, ev.TargetClient, payload)
}

// presenceUpdates turns a merged diff into presence_update frames. A member never gets a join
// update about itself (the SDK would list it twice), and a meta update (same connection in
// joins and leaves) is not announced: Xano has no update action, and join-then-leave of one
// socketId would remove the member from the SDK's list.
func presenceUpdates(topic string, d *presence.Diff) []channels.OutFrame {
	updated := make(map[string]bool)
	joined := make(map[string]bool, len(d.Joins))
	for _, e := range d.Joins {
		joined[e.ConnID] = true
	}
	for _, e := range d.Leaves {
		if joined[e.ConnID] {
			updated[e.ConnID] = true
		}
	}
	out := make([]channels.OutFrame, 0, len(d.Joins)+len(d.Leaves))
	for _, e := range d.Joins {
		if !updated[e.ConnID] {
			out = append(out, channels.OutFrame{Frame: text(xproto.EncodePresenceUpdate(topic, xproto.ActionJoin, clientOf(e))), SkipClient: e.ConnID})
		}
	}
	for _, e := range d.Leaves {
		if !updated[e.ConnID] {
			out = append(out, channels.OutFrame{Frame: text(xproto.EncodePresenceUpdate(topic, xproto.ActionLeave, clientOf(e)))})
		}
	}
	return out
}

// clientOf is the Xano client object of a presence entry (the core stores it as Extra).
func clientOf(e presence.Entry) xproto.Client {
	if len(e.Extra) > 0 && json.Valid(e.Extra) {
		return xproto.Client{Raw: e.Extra}
	}
	return xproto.Client{SocketID: e.ConnID}
}

// presenceFullKind is the Snapshot encode-cache key of the whole presence_full frame.
const presenceFullKind = 2

func (dialect) EncodePresenceState(ch *channels.Channel, snap *presence.Snapshot) []protocol.Frame {
	frame := snap.Encoded(presenceFullKind, func(s *presence.Snapshot) []byte {
		entries := s.Entries()
		members := make([]xproto.Client, len(entries))
		for i, e := range entries {
			members[i] = clientOf(e)
		}
		return xproto.EncodePresenceFull(ch.Topic(), members)
	})
	return []protocol.Frame{text(frame)}
}

func (dialect) EncodeClose(ch *channels.Channel) []protocol.Frame {
	return []protocol.Frame{text(xproto.EncodeError(ch.Topic(), "removed from channel"))}
}

func (dialect) EncodeCrash(ch *channels.Channel) []protocol.Frame {
	return []protocol.Frame{text(xproto.EncodeError(ch.Topic(), "channel error"))}
}

// historyFrame encodes the stored messages a member may see as one history frame.
func historyFrame(topic string, items []channels.StoredEvent, fromSocket string) []byte {
	list := make([]json.RawMessage, 0, len(items))
	for _, st := range items {
		ev := st.Event
		if ev.Binary != nil || ev.Sender == nil {
			continue
		}
		if fromSocket != "" && ev.Sender.ClientID != fromSocket {
			continue
		}
		list = append(list, messageFrame(ev))
	}
	return xproto.EncodeHistory(topic, list)
}
