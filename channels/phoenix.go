package channels

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"runtime/debug"

	"golang.org/x/time/rate"

	"github.com/phxserver/phxserver/presence"
	"github.com/phxserver/phxserver/protocol"
)

// phoenixDialect encodes core events as Phoenix frames with one serializer (V1 or V2).
type phoenixDialect struct {
	ser  protocol.Serializer
	slot int
	name string
}

// Phoenix dialects, one per serializer.
var (
	PhoenixV1 Dialect = &phoenixDialect{ser: protocol.V1JSON, slot: SlotPhoenixV1, name: "phoenix-v1"}
	PhoenixV2 Dialect = &phoenixDialect{ser: protocol.V2JSON, slot: SlotPhoenixV2, name: "phoenix-v2"}
)

// PhoenixDialect returns the dialect for a negotiated serializer.
func PhoenixDialect(ser protocol.Serializer) Dialect {
	if ser.Version() == protocol.V1 {
		return PhoenixV1
	}
	return PhoenixV2
}

// Serializer returns the serializer of a Phoenix dialect, or nil for other dialects.
func Serializer(d Dialect) protocol.Serializer {
	if p, ok := d.(*phoenixDialect); ok {
		return p.ser
	}
	return nil
}

func (d *phoenixDialect) Slot() int          { return d.slot }
func (d *phoenixDialect) Name() string       { return d.name }
func (d *phoenixDialect) ReconnectCode() int { return CloseGoingAway }

var emptyObject = json.RawMessage(`{}`)

func (d *phoenixDialect) EncodeEvent(ev *Event) []OutFrame {
	m := protocol.Message{Topic: ev.Topic, Event: ev.Name}
	switch {
	case ev.Kind == EventPresence:
		m.Payload = ev.Diff.AppendPhoenixDiff(nil)
	case ev.Binary != nil:
		m.Binary = ev.Binary
	default:
		m.Payload = ev.PhoenixPayload()
	}
	f, err := d.ser.EncodeMessage(m)
	if err != nil {
		return nil // e.g. binary for a V1 member: nothing it can receive
	}
	return []OutFrame{{Frame: f}}
}

// presenceStateKind is the Snapshot encode-cache key of the Phoenix presence_state payload.
const presenceStateKind = 1

func (d *phoenixDialect) EncodePresenceState(ch *Channel, snap *presence.Snapshot) []protocol.Frame {
	// The frame differs between members only by the join ref, and the JS client's join refs
	// are small numbers many members share: a join storm in a big room then shares a few
	// frames instead of copying the whole state once per member.
	frame := snap.EncodedKey(d.name+"\x00"+ch.joinRef, func(s *presence.Snapshot) []byte {
		payload := s.Encoded(presenceStateKind, func(s *presence.Snapshot) []byte { return s.AppendPhoenixState(nil) })
		f, err := d.ser.EncodeMessage(protocol.Message{JoinRef: ch.joinRef, Topic: ch.topic, Event: "presence_state", Payload: payload})
		if err != nil {
			return nil
		}
		return f.Data
	})
	if frame == nil {
		return nil
	}
	return []protocol.Frame{{Data: frame}}
}

func (d *phoenixDialect) EncodeClose(ch *Channel) []protocol.Frame {
	f, err := d.ser.EncodeMessage(protocol.Message{JoinRef: ch.joinRef, Ref: ch.joinRef, Topic: ch.topic, Event: "phx_close", Payload: emptyObject})
	if err != nil {
		return nil
	}
	return []protocol.Frame{f}
}

func (d *phoenixDialect) EncodeCrash(ch *Channel) []protocol.Frame {
	f, err := d.ser.EncodeMessage(protocol.Message{JoinRef: ch.joinRef, Ref: ch.joinRef, Topic: ch.topic, Event: "phx_error",
		Payload: json.RawMessage(`{"reason":"channel_crash"}`)})
	if err != nil {
		return nil
	}
	return []protocol.Frame{f}
}

// reply queues a phx_reply.
func (s *Socket) reply(joinRef, ref, topic, status string, response json.RawMessage, binary []byte) {
	ser := Serializer(s.dialect)
	if ser == nil {
		return
	}
	f, err := ser.EncodeReply(protocol.Reply{JoinRef: joinRef, Ref: ref, Topic: topic, Status: status, Response: response, Binary: binary})
	if err != nil {
		// A binary reply to a V1 client, or a field over 255 bytes: say so in JSON instead.
		f, err = ser.EncodeReply(protocol.Reply{JoinRef: joinRef, Ref: ref, Topic: topic, Status: "error", Response: reasonJSON("reply cannot be encoded")})
		if err != nil {
			return
		}
	}
	s.Enqueue(f)
}

func (s *Socket) replyError(joinRef, ref, topic, reason string) {
	s.reply(joinRef, ref, topic, "error", reasonJSON(reason), nil)
}

func reasonJSON(reason string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"reason": reason})
	return b
}

// HandlePhoenix handles one decoded Phoenix message; the transport's reader goroutine calls it.
func (s *Socket) HandlePhoenix(ctx context.Context, m protocol.Message) {
	if m.Topic == "phoenix" && m.Event == "heartbeat" {
		s.reply("", m.Ref, m.Topic, "ok", emptyObject, nil)
		return
	}
	switch m.Event {
	case "phx_join":
		s.phoenixJoin(ctx, m)
	case "phx_leave":
		s.phoenixLeave(m)
	default:
		s.phoenixEvent(ctx, m)
	}
}

// joinOptions are the join payload keys the core understands.
type joinOptions struct {
	Presence     *bool          `json:"presence"`
	PresenceMeta map[string]any `json:"presence_meta"`
	History      bool           `json:"history"`
}

func (s *Socket) phoenixJoin(ctx context.Context, m protocol.Message) {
	var opts joinOptions
	payload := m.Payload
	if m.Binary != nil || len(bytes.TrimSpace(payload)) == 0 {
		payload = emptyObject
	}
	if bytes.Contains(payload, []byte(`"presence`)) || bytes.Contains(payload, []byte(`"history"`)) {
		if err := json.Unmarshal(payload, &opts); err != nil {
			s.replyError(m.JoinRef, m.Ref, m.Topic, "invalid join options: "+jsonErrorText(err))
			return
		}
	}
	if len(opts.PresenceMeta) > 0 {
		if b, _ := json.Marshal(opts.PresenceMeta); len(b) > s.node.limits.MaxPresenceMetaBytes {
			s.replyError(m.JoinRef, m.Ref, m.Topic, "presence_meta too large")
			return
		}
	}
	joinRef := m.JoinRef // the JS client sends join_ref == ref; other clients may not
	if joinRef == "" {
		joinRef = m.Ref
	}
	existing := s.Channel(m.Topic)
	if existing == nil && s.channelCount() >= s.node.limits.MaxChannelsPerSocket {
		s.replyError(joinRef, m.Ref, m.Topic, "too many channels joined")
		return
	}
	if existing != nil {
		s.leaveChannel(existing)
	}
	req := JoinRequest{
		Topic: m.Topic, JoinRef: joinRef, Payload: payload,
		WantPresence: true, Track: opts.Presence == nil || *opts.Presence,
		PresenceMeta: opts.PresenceMeta, WantHistory: opts.History,
	}
	join := func() {
		_, err := s.Join(ctx, req, func(ch *Channel, reply any) {
			resp, bin, err := encodeReplyValue(reply)
			if err != nil {
				resp, bin = emptyObject, nil
			}
			s.reply(joinRef, m.Ref, m.Topic, "ok", resp, bin)
		})
		var re *ReplyError
		switch {
		case errors.Is(err, ErrUnmatchedTopic):
			s.replyError("", m.Ref, m.Topic, "unmatched topic")
		case errors.As(err, &re):
			s.replyError(joinRef, m.Ref, m.Topic, re.Reason)
		}
		if existing != nil {
			// Duplicate join: the old membership's close follows the new reply and carries
			// the old join ref, so the client drops it instead of closing the new channel.
			s.enqueueAll(s.dialect.EncodeClose(existing))
		}
	}
	if s.node.joinNeedsAsync(m.Topic) {
		// Join triggers may block (a webhook): the Phoenix client buffers its pushes until
		// the join reply, so the join can complete off the reader without reordering.
		go join()
		return
	}
	join()
}

func (s *Socket) phoenixLeave(m protocol.Message) {
	ch := s.Channel(m.Topic)
	if ch == nil {
		s.reply(m.JoinRef, m.Ref, m.Topic, "ok", emptyObject, nil)
		return
	}
	if m.JoinRef != "" && m.JoinRef != ch.joinRef {
		return // the client raced a server close: no reply
	}
	if !s.leaveChannel(ch) {
		return
	}
	s.reply(ch.joinRef, m.Ref, m.Topic, "ok", emptyObject, nil)
	s.enqueueAll(s.dialect.EncodeClose(ch))
}

func (s *Socket) phoenixEvent(ctx context.Context, m protocol.Message) {
	ch := s.Channel(m.Topic)
	if ch == nil {
		s.replyError("", m.Ref, m.Topic, "unmatched topic")
		return
	}
	if m.JoinRef != "" && m.JoinRef != ch.joinRef {
		return // stale join ref: ignored, as Phoenix does
	}
	if reservedEvents[m.Event] {
		s.replyError(ch.joinRef, m.Ref, m.Topic, "reserved event: "+m.Event)
		return
	}
	switch m.Event {
	case "access_token":
		s.handleAccessToken(ctx, ch, m)
		return
	case "presence_update":
		s.handlePresenceUpdate(ch, m)
		return
	}
	if s.node.NeedsAsync(ch, TriggerMessage) {
		// Triggers may block (a webhook): run off the reader, in order per channel.
		if !ch.Go(func() { s.handleIn(ctx, ch, m) }) {
			s.replyError(ch.joinRef, m.Ref, m.Topic, "too many pending messages")
		}
		return
	}
	s.handleIn(ctx, ch, m)
}

// handleIn runs the channel's handler for a client event and replies.
func (s *Socket) handleIn(ctx context.Context, ch *Channel, m protocol.Message) {
	reply, err := s.safeHandleIn(ctx, ch, m.Event, Payload{JSON: m.Payload, Binary: m.Binary})
	var re *ReplyError
	switch {
	case errors.Is(err, ErrNoReply):
	case errors.As(err, &re):
		s.replyError(ch.joinRef, m.Ref, m.Topic, re.Reason)
	case err != nil:
		s.crash(ch)
	default:
		resp, bin, err := encodeReplyValue(reply)
		if err != nil {
			s.crash(ch)
			return
		}
		s.reply(ch.joinRef, m.Ref, m.Topic, "ok", resp, bin)
	}
}

// errHandlerPanic marks a recovered handler panic.
var errHandlerPanic = errors.New("channels: handler panic")

func (s *Socket) safeHandleIn(ctx context.Context, ch *Channel, event string, p Payload) (reply any, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.node.log.Error().Str("topic", ch.topic).Interface("panic", r).Bytes("stack", debug.Stack()).Msg("channel handler crashed")
			reply, err = nil, errHandlerPanic
		}
	}()
	return ch.handler.HandleIn(ctx, ch, event, p)
}

// crash ends a membership whose handler failed and tells the client (phx_error), which then
// rejoins.
func (s *Socket) crash(ch *Channel) {
	if s.leaveChannel(ch) {
		s.enqueueAll(s.dialect.EncodeCrash(ch))
	}
}

func (s *Socket) handleAccessToken(ctx context.Context, ch *Channel, m protocol.Message) {
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(m.Payload, &body); err != nil || body.AccessToken == "" {
		s.replyError(ch.joinRef, m.Ref, m.Topic, "access_token must be a non-empty string")
		return
	}
	if err := s.Refresh(ctx, body.AccessToken); err != nil {
		var re *ReplyError
		if errors.As(err, &re) {
			s.replyError(ch.joinRef, m.Ref, m.Topic, re.Reason)
			return
		}
		s.replyError(ch.joinRef, m.Ref, m.Topic, "token refresh failed")
		return
	}
	if s.Channel(m.Topic) == ch {
		s.reply(ch.joinRef, m.Ref, m.Topic, "ok", emptyObject, nil)
	}
}

func (s *Socket) handlePresenceUpdate(ch *Channel, m protocol.Message) {
	var meta map[string]any
	if err := json.Unmarshal(m.Payload, &meta); err != nil || meta == nil {
		s.replyError(ch.joinRef, m.Ref, m.Topic, "presence_update payload must be an object")
		return
	}
	if len(m.Payload) > s.node.limits.MaxPresenceMetaBytes {
		s.replyError(ch.joinRef, m.Ref, m.Topic, "presence_meta too large")
		return
	}
	if !ch.tracked.Load() {
		s.replyError(ch.joinRef, m.Ref, m.Topic, "not tracked in presence")
		return
	}
	if (s.limiter != nil && !s.limiter.Allow()) || !s.presenceUpdateAllowed() {
		s.replyError(ch.joinRef, m.Ref, m.Topic, "rate limited: too many presence updates")
		return
	}
	id := s.identity.Load()
	if _, err := s.node.tracker.Update(ch.topic, id.ClientID, s.node.presenceMeta(id, meta), s.sender.Load().XanoJSON); err != nil {
		s.replyError(ch.joinRef, m.Ref, m.Topic, "presence update failed")
		return
	}
	s.reply(ch.joinRef, m.Ref, m.Topic, "ok", emptyObject, nil)
}

// Presence updates are limited per socket whatever limits.messages_per_second says: each one
// reaches every member of the channel.
const (
	presenceUpdatesPerSecond = 5
	presenceUpdateBurst      = 10
)

// presenceUpdateAllowed takes a token from the socket's presence-update bucket, created on
// first use so that sockets that never update their meta pay nothing.
func (s *Socket) presenceUpdateAllowed() bool {
	if s.presenceLimiter == nil {
		s.presenceLimiter = rate.NewLimiter(presenceUpdatesPerSecond, presenceUpdateBurst)
	}
	return s.presenceLimiter.Allow()
}

func jsonErrorText(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field + " has the wrong type"
	}
	return "not valid JSON"
}

// defaultHandler is the permission-driven behaviour of every configured pattern: client
// events become messages routed by §4 of the contract.
type defaultHandler struct{}

func (defaultHandler) Join(context.Context, *Channel, json.RawMessage) (any, error) { return nil, nil }

// routingKeys are the payload keys that address a Phoenix message (they stay in the payload).
type routingKeys struct {
	TargetClientID json.RawMessage `json:"target_client_id"`
	TargetUserID   json.RawMessage `json:"target_user_id"`
	Authenticated  json.RawMessage `json:"authenticated"`
}

func (defaultHandler) HandleIn(ctx context.Context, ch *Channel, event string, p Payload) (any, error) {
	req := SendRequest{Event: event, Payload: p}
	if p.JSON != nil && len(p.JSON) > 0 && p.JSON[0] == '{' &&
		(bytes.Contains(p.JSON, []byte(`"target_`)) || bytes.Contains(p.JSON, []byte(`"authenticated"`))) {
		var rk routingKeys
		if err := json.Unmarshal(p.JSON, &rk); err == nil {
			req.TargetClient = jsonString(rk.TargetClientID)
			req.TargetUser = jsonString(rk.TargetUserID)
			req.Authenticated = string(rk.Authenticated) == "true"
		}
	}
	if err := ch.socket.Send(ctx, ch, req); err != nil {
		return nil, err
	}
	if p.Binary != nil {
		return []byte{}, nil // a binary push gets a binary reply
	}
	return nil, nil
}

// jsonString returns the value of a JSON string or number, "" for anything else.
func jsonString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}
