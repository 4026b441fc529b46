package channels

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/presence"
	"github.com/phxserver/phxserver/protocol"
)

// Transport is the connection side of a socket, implemented by each transport adapter
// (WebSocket, LongPoll, Xano). The core never writes to a connection itself: it queues frames
// and wakes the transport's single writer.
type Transport interface {
	// Wake tells the writer that frames are queued. It must not block.
	Wake()
	// Close asks the transport to close the connection with a WebSocket close code and
	// reason. It must not block, is safe from any goroutine and idempotent. The transport
	// then calls Socket.Terminate once its reader has stopped.
	Close(code int, reason string)
}

// Close codes used by the core.
const (
	CloseNormal         = 1000
	CloseGoingAway      = 1001 // Phoenix: "reconnect please" (old clients reconnect on != 1000)
	ClosePolicy         = 1008
	CloseTooBig         = 1009
	CloseInternalError  = 1011
	CloseServiceRestart = 1012 // drain
	CloseTryAgainLater  = 1013 // slow consumer, overload
	CloseXanoReconnect  = 4000
)

// Socket is one client connection: its identity, its channel memberships and its outbound
// queue. Inbound frames are handled by the transport's single reader goroutine.
type Socket struct {
	node          *Node
	dialect       Dialect
	transport     Transport
	transportName string
	identity      atomic.Pointer[Identity]
	sender        atomic.Pointer[Sender]
	limiter       *rate.Limiter // nil = unlimited; used by the socket's handler goroutine only
	// presenceLimiter bounds presence_update events; created on first use, used by the
	// socket's handler goroutine only.
	presenceLimiter *rate.Limiter

	mu       sync.Mutex
	channels map[string]*Channel // guarded by mu
	expiry   *time.Timer         // guarded by mu

	queue      outQueue
	terminated atomic.Bool
	slow       atomic.Bool
}

// ClientID is the connection's server-generated id.
func (s *Socket) ClientID() string { return s.identity.Load().ClientID }

// Identity is the socket's current identity.
func (s *Socket) Identity() Identity { return *s.identity.Load() }

// TransportName is the transport's label ("websocket", "longpoll").
func (s *Socket) TransportName() string { return s.transportName }

// Dialect is the socket's wire dialect.
func (s *Socket) Dialect() Dialect { return s.dialect }

// Logger returns a logger for this socket. It is built on demand: a per-socket logger would
// cost every idle connection half a kilobyte.
func (s *Socket) Logger() zerolog.Logger {
	return s.node.log.With().Str("client_id", s.ClientID()).Str("dialect", s.dialect.Name()).Logger()
}

// Drain moves the queued frames into dst and returns it; the transport's writer calls it.
func (s *Socket) Drain(dst []protocol.Frame) []protocol.Frame { return s.queue.take(dst) }

// Pending reports whether frames are queued.
func (s *Socket) Pending() bool { return s.queue.len() > 0 }

// Enqueue queues one frame for this socket. It never blocks: on overflow the socket is marked
// slow and closed with a reconnect code, and the frame is dropped.
func (s *Socket) Enqueue(f protocol.Frame) {
	wasEmpty, ok := s.queue.push(f)
	if !ok {
		s.slowConsumer()
		return
	}
	s.node.stats.FramesOut.Add(1)
	if wasEmpty {
		s.transport.Wake()
	}
}

func (s *Socket) enqueueAll(fs []protocol.Frame) {
	for _, f := range fs {
		s.Enqueue(f)
	}
}

func (s *Socket) slowConsumer() {
	if s.terminated.Load() || !s.slow.CompareAndSwap(false, true) {
		return
	}
	s.node.stats.SlowDisconnects.Add(1)
	s.node.Warn("slow_consumer", func(e *zerolog.Event) { e.Str("client_id", s.ClientID()) }, "outbound queue full; disconnecting slow client")
	s.queue.close()
	s.transport.Close(CloseTryAgainLater, "slow consumer")
}

// Disconnect asks the transport to close the connection. Members are cleaned up when the
// transport reports the end with Terminate.
func (s *Socket) Disconnect(code int, reason string) {
	s.transport.Close(code, reason)
}

// Terminate ends the socket: every membership is removed (presence untracked) and the socket
// leaves the node. Transports call it exactly when their reader has stopped; it is idempotent.
func (s *Socket) Terminate() {
	if !s.terminated.CompareAndSwap(false, true) {
		return
	}
	s.queue.close()
	s.mu.Lock()
	chans := make([]*Channel, 0, len(s.channels))
	for _, ch := range s.channels {
		chans = append(chans, ch)
	}
	clear(s.channels)
	if s.expiry != nil {
		s.expiry.Stop()
	}
	s.mu.Unlock()
	for _, ch := range chans {
		s.node.endMembership(ch)
	}
	s.node.tracker.UntrackConn(s.ClientID())
	s.node.unregister(s)
}

// Channel returns the socket's current membership of topic, or nil.
func (s *Socket) Channel(topic string) *Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.channels[topic]
}

// channelCount returns the number of memberships.
func (s *Socket) channelCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.channels)
}

func (s *Socket) pushMessage(m protocol.Message) {
	ph, ok := s.dialect.(*phoenixDialect)
	if !ok {
		return
	}
	f, err := ph.ser.EncodeMessage(m)
	if err != nil {
		s.node.Warn("encode", nil, "cannot encode push: "+err.Error())
		return
	}
	s.Enqueue(f)
}

// JoinRequest is a dialect-neutral join.
type JoinRequest struct {
	Topic   string
	JoinRef string
	Payload json.RawMessage
	// WantPresence: the member wants presence frames (Phoenix: always; Xano: payload.presence).
	WantPresence bool
	// Track: the member is tracked in presence (Phoenix: unless payload presence:false).
	Track bool
	// PresenceMeta is merged into the member's own meta (server fields win).
	PresenceMeta map[string]any
	// WantHistory asks for the channel's stored messages.
	WantHistory bool
}

// ErrUnmatchedTopic refuses a join of a topic no active permission set matches.
var ErrUnmatchedTopic = errors.New("unmatched topic")

// Join admits the socket to req.Topic after the Policy, the handler and the join triggers.
// visible runs once the member is in the hub but before any broadcast can reach it: the
// dialect enqueues its join reply there, so that the reply precedes every push. On refusal the
// error is ErrUnmatchedTopic or a *ReplyError. An existing membership of the topic must have
// been removed by the caller.
func (s *Socket) Join(ctx context.Context, req JoinRequest, visible func(ch *Channel, reply any)) (*Channel, error) {
	n := s.node
	id := s.identity.Load()
	table := n.policy.Load()
	match, perms, dec := table.Join(subjectOf(id), req.Topic)
	if !dec.Allowed {
		n.stats.refused(dec.Reason)
		if dec.Set == nil && dec.Reason == ErrUnmatchedTopic.Error() {
			return nil, ErrUnmatchedTopic
		}
		return nil, &ReplyError{Reason: dec.Reason}
	}
	ch := &Channel{
		topic:            req.Topic,
		joinRef:          req.JoinRef,
		socket:           s,
		set:              match.Set,
		perms:            perms,
		captures:         match.Captures,
		clientID:         id.ClientID,
		userID:           id.UserID,
		authenticated:    id.Authenticated,
		receivesPresence: req.WantPresence && permissions.ReceivesPresence(perms),
		wantsHistory:     req.WantHistory,
		hubIndex:         -1,
	}
	ch.handler = n.router.lookup(req.Topic)
	if ch.handler == nil {
		ch.handler = defaultHandler{}
	}
	reply, err := safeJoin(ctx, ch, req.Payload)
	if err != nil {
		n.stats.refused(err.Error())
		return nil, err
	}
	if tr := n.triggerRunner(); tr.Has(ch.set, TriggerJoin) {
		if v := tr.Run(ctx, n.triggerInput(TriggerJoin, ch, id, req.Payload)); !v.Allow {
			n.stats.refused("trigger")
			n.stats.TriggerDenials.Add(1)
			return nil, &ReplyError{Reason: denialReason(v.Reason, "join refused")}
		}
	}
	if req.WantHistory {
		reply = n.withHistory(ch, reply)
	}
	s.mu.Lock()
	if s.terminated.Load() {
		s.mu.Unlock()
		return nil, &ReplyError{Reason: "socket closed"}
	}
	if _, rejoin := s.channels[req.Topic]; !rejoin && len(s.channels) >= n.limits.MaxChannelsPerSocket {
		s.mu.Unlock()
		n.stats.refused("too many channels joined")
		return nil, &ReplyError{Reason: "too many channels joined"}
	}
	s.channels[req.Topic] = ch
	first := n.hub.add(ch, func() {
		if visible != nil {
			visible(ch, reply)
		}
	})
	s.mu.Unlock()
	n.stats.Joins.Add(1)
	n.observers.each(func(o Observer) { o.OnJoin(ch) })
	if first {
		n.topicChanged(req.Topic)
	}
	if req.Track && permissions.ReceivesPresence(perms) {
		meta := n.presenceMeta(id, req.PresenceMeta)
		if _, err := n.tracker.Track(req.Topic, presenceKey(id), id.ClientID, meta, s.sender.Load().XanoJSON); err == nil {
			ch.tracked.Store(true)
			if ch.closed.Load() {
				// The membership ended while we tracked it (the socket closed mid-join):
				// endMembership may have looked before tracked was set; leave no ghost.
				n.tracker.Untrack(req.Topic, id.ClientID)
			}
		}
	}
	if ch.receivesPresence {
		n.tracker.RequestState(req.Topic, id.ClientID)
	}
	return ch, nil
}

// safeJoin runs the handler's Join, turning a panic into "join crashed".
func safeJoin(ctx context.Context, ch *Channel, payload json.RawMessage) (reply any, err error) {
	defer func() {
		if r := recover(); r != nil {
			ch.socket.node.log.Error().Str("topic", ch.topic).Interface("panic", r).Bytes("stack", debug.Stack()).Msg("channel join crashed")
			reply, err = nil, &ReplyError{Reason: "join crashed"}
		}
	}()
	reply, err = ch.handler.Join(ctx, ch, payload)
	var re *ReplyError
	if err != nil && !errors.As(err, &re) {
		ch.socket.node.log.Error().Err(err).Str("topic", ch.topic).Msg("channel join failed")
		return nil, &ReplyError{Reason: "join crashed"}
	}
	return reply, err
}

// Leave ends the socket's membership of topic; it returns the ended channel or nil.
func (s *Socket) Leave(topic string) *Channel {
	s.mu.Lock()
	ch := s.channels[topic]
	if ch != nil {
		delete(s.channels, topic)
	}
	s.mu.Unlock()
	if ch != nil {
		s.node.endMembership(ch)
	}
	return ch
}

// leaveChannel ends ch if it is still the socket's current membership of its topic.
func (s *Socket) leaveChannel(ch *Channel) bool {
	s.mu.Lock()
	cur := s.channels[ch.topic]
	if cur == ch {
		delete(s.channels, ch.topic)
	}
	s.mu.Unlock()
	if cur != ch {
		return false
	}
	s.node.endMembership(ch)
	return true
}

// Kick ends ch from the server side and tells the client (Phoenix phx_close).
func (s *Socket) Kick(ch *Channel) {
	if s.leaveChannel(ch) {
		s.enqueueAll(s.dialect.EncodeClose(ch))
	}
}

// SendRequest is a dialect-neutral client message.
type SendRequest struct {
	Event   string
	Payload Payload
	// Authenticated asks for the authenticated audience.
	Authenticated bool
	// TargetClient / TargetUser make the message private.
	TargetClient string
	TargetUser   string
	// NoDefaultAudience sends an un-addressed message to the public audience even where
	// §4's exception would default it to the authenticated audience (that exception is
	// written for Phoenix pushes; a Xano message without options is public).
	NoDefaultAudience bool
}

// Send checks a client message against the member's permissions, then delivers it to the
// channel's members. A refusal is a *ReplyError with a client-safe reason; nothing is
// delivered then.
func (s *Socket) Send(ctx context.Context, ch *Channel, req SendRequest) error {
	n := s.node
	if ch.closed.Load() {
		return &ReplyError{Reason: "unmatched topic"}
	}
	if s.limiter != nil && !s.limiter.Allow() {
		return &ReplyError{Reason: "rate limited: too many messages"}
	}
	id := s.identity.Load()
	sub := subjectOf(id)
	aud := permissions.AudiencePublic
	if !req.NoDefaultAudience {
		aud = permissions.DefaultAudience(ch.perms, sub)
	}
	if req.Authenticated {
		aud = permissions.AudienceAuthenticated
	}
	var target *permissions.Subject
	if req.TargetClient != "" || req.TargetUser != "" {
		aud = permissions.AudiencePrivate
		t, ok := n.privateTarget(ch.topic, req.TargetClient, req.TargetUser, id.ClientID)
		if ok {
			target = &t
		}
	}
	if aud == permissions.AudiencePrivate && target == nil {
		// Judge the sender alone (as if the target were an authenticated member): a sender
		// who may send privately learns that the target is absent, one who may not learns that.
		stand := permissions.Subject{Authenticated: true}
		if dec := permissions.Send(ch.perms, sub, aud, &stand); !dec.Allowed {
			return &ReplyError{Reason: dec.Reason}
		}
		return &ReplyError{Reason: "target not in channel"}
	}
	if dec := permissions.Send(ch.perms, sub, aud, target); !dec.Allowed {
		return &ReplyError{Reason: dec.Reason}
	}
	payload := req.Payload.JSON
	if tr := n.triggerRunner(); tr.Has(ch.set, TriggerMessage) {
		in := n.triggerInput(TriggerMessage, ch, id, payload)
		in.MessageEvent, in.Audience, in.TargetClient, in.TargetUser = req.Event, aud, req.TargetClient, req.TargetUser
		v := tr.Run(ctx, in)
		if !v.Allow {
			n.stats.TriggerDenials.Add(1)
			return &ReplyError{Reason: denialReason(v.Reason, "message refused")}
		}
		if v.Payload != nil && req.Payload.Binary == nil {
			payload = v.Payload
		}
	}
	ev := &Event{
		Kind:         EventClient,
		Topic:        ch.topic,
		Name:         req.Event,
		Payload:      payload,
		Binary:       req.Payload.Binary,
		Sender:       s.sender.Load(),
		Audience:     aud,
		TargetClient: req.TargetClient,
		TargetUser:   req.TargetUser,
	}
	n.stats.MessagesIn.Add(1)
	n.publish(ctx, ev, ch.set)
	return nil
}

// Refresh replaces the identity after an in-band token refresh (same user only). Channels the
// new identity may no longer join are kicked.
func (s *Socket) Refresh(ctx context.Context, token string) error {
	n := s.node
	next, err := n.auth.Authenticate(ctx, token)
	if err != nil {
		return &ReplyError{Reason: err.Error()}
	}
	cur := s.identity.Load()
	if !next.Authenticated || next.UserID != cur.UserID {
		return &ReplyError{Reason: "token belongs to another user"}
	}
	next.ClientID = cur.ClientID
	s.setIdentity(&next)
	s.recheckChannels()
	return nil
}

// recheckChannels kicks every membership the current identity and policy no longer admit.
func (s *Socket) recheckChannels() {
	id := s.identity.Load()
	table := s.node.policy.Load()
	s.mu.Lock()
	chans := make([]*Channel, 0, len(s.channels))
	for _, ch := range s.channels {
		chans = append(chans, ch)
	}
	s.mu.Unlock()
	for _, ch := range chans {
		if _, perms, dec := table.Join(subjectOf(id), ch.topic); !dec.Allowed || perms != ch.perms {
			s.Kick(ch)
		}
	}
}

// setIdentity installs id and everything derived from it (sender object, expiry timer).
func (s *Socket) setIdentity(id *Identity) {
	s.identity.Store(id)
	s.sender.Store(newSender(id))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.expiry != nil {
		s.expiry.Stop()
		s.expiry = nil
	}
	if !id.ExpiresAt.IsZero() {
		s.expiry = time.AfterFunc(time.Until(id.ExpiresAt.Add(id.Leeway)), func() {
			s.Disconnect(s.dialect.ReconnectCode(), "token expired")
		})
	}
}

func subjectOf(id *Identity) permissions.Subject {
	return permissions.Subject{Authenticated: id.Authenticated, Role: id.Role, AuthorizedChannels: id.AuthorizedChannels}
}

func presenceKey(id *Identity) string {
	if id.Authenticated && id.UserID != "" {
		return id.UserID
	}
	return id.ClientID
}

// reservedEvents may not be sent by clients: they would impersonate the server.
var reservedEvents = map[string]bool{
	"phx_reply": true, "phx_close": true, "phx_error": true,
	"presence_state": true, "presence_diff": true,
}

// encodeReplyValue turns a Handler reply into a JSON response or a binary reply.
func encodeReplyValue(reply any) (json.RawMessage, []byte, error) {
	switch r := reply.(type) {
	case nil:
		return json.RawMessage(`{}`), nil, nil
	case []byte:
		return nil, r, nil
	case json.RawMessage:
		return r, nil, nil
	default:
		b, err := json.Marshal(r)
		if err != nil {
			return nil, nil, fmt.Errorf("channels: encode reply: %w", err)
		}
		return b, nil, nil
	}
}

func onlineAt() string { return strconv.FormatInt(time.Now().Unix(), 10) }

// serverMetaKeys are presence meta fields only the server sets: a client's presence_meta
// cannot write them, so an anonymous member cannot pose as a user or a role.
var serverMetaKeys = map[string]bool{
	"client_id": true, "online_at": true, "user_id": true, "role": true,
	"authenticated": true, "phx_ref": true, "phx_ref_prev": true,
}

// presenceMeta builds the member's own meta (§5): server fields cannot be overridden.
func (n *Node) presenceMeta(id *Identity, extra map[string]any) presence.Meta {
	meta := make(presence.Meta, 4+len(id.Shared)+len(extra))
	for k, v := range extra {
		if !serverMetaKeys[k] {
			meta[k] = v
		}
	}
	for k, v := range id.Shared {
		meta[k] = v
	}
	meta["client_id"] = id.ClientID
	meta["online_at"] = onlineAt()
	if id.Authenticated {
		meta["user_id"] = id.UserID
		if id.Role != "" {
			meta["role"] = id.Role
		}
	}
	return meta
}

// Node is the node the socket belongs to.
func (s *Socket) Node() *Node { return s.node }

func denialReason(reason, fallback string) string {
	if reason == "" {
		return fallback
	}
	return reason
}
