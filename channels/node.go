package channels

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/phxserver/phxserver/channels/history"
	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/channels/pubsub"
	"github.com/phxserver/phxserver/internal/jsonenc"
	"github.com/phxserver/phxserver/presence"
	"github.com/phxserver/phxserver/protocol/xano"
)

// Limits bound what one client may cost. Zero values mean the documented defaults.
type Limits struct {
	// MaxConnections caps concurrent sockets; 0 = unlimited.
	MaxConnections int
	// MaxChannelsPerSocket caps memberships per socket (default 100).
	MaxChannelsPerSocket int
	// QueueBytes caps a socket's outbound queue (default 1 MiB); overflow disconnects it.
	QueueBytes int
	// QueueFrames caps a socket's outbound queue in frames (default 8192).
	QueueFrames int
	// MessagesPerSecond limits client messages per socket; 0 = unlimited.
	MessagesPerSecond float64
	// MaxPresenceMetaBytes caps a member's own presence_meta (default 1024).
	MaxPresenceMetaBytes int
}

func (l *Limits) applyDefaults() {
	if l.MaxChannelsPerSocket <= 0 {
		l.MaxChannelsPerSocket = 100
	}
	if l.QueueBytes <= 0 {
		l.QueueBytes = 1 << 20
	}
	if l.QueueFrames <= 0 {
		l.QueueFrames = 8192
	}
	if l.MaxPresenceMetaBytes <= 0 {
		l.MaxPresenceMetaBytes = 1024
	}
}

// Options configure a Node.
type Options struct {
	// NodeID names this node in a cluster (default: a random UUID).
	NodeID string
	// Policy is the compiled permission table (required). Replace it with SetPolicy.
	Policy *permissions.Table
	// Authenticator verifies tokens (required).
	Authenticator Authenticator
	// Broker connects the nodes of a cluster; nil for a single node.
	Broker pubsub.Broker
	// PresenceWindow merges presence diffs per channel (default 30ms).
	PresenceWindow time.Duration
	// Limits bound per-client cost.
	Limits Limits
	// Triggers runs permission-set triggers; nil for none.
	Triggers Triggers
	// HistoryStore makes history durable; nil keeps it in memory only.
	HistoryStore HistoryStore
	// HistoryChannels bounds how many channels keep history in memory (0 = unbounded).
	HistoryChannels int
	// Logger is the base logger.
	Logger zerolog.Logger
}

// Stats are the node's counters, read by metrics and the dashboard.
type Stats struct {
	Connections     atomic.Int64
	Joins           atomic.Uint64
	JoinsRefused    atomic.Uint64
	MessagesIn      atomic.Uint64
	Broadcasts      atomic.Uint64
	Deliveries      atomic.Uint64
	FramesOut       atomic.Uint64
	SlowDisconnects atomic.Uint64
	TriggerDenials  atomic.Uint64

	refusalsMu sync.Mutex
	refusals   map[string]uint64 // join refusals by reason; guarded by refusalsMu
}

func (s *Stats) refused(reason string) {
	s.JoinsRefused.Add(1)
	s.refusalsMu.Lock()
	if s.refusals == nil {
		s.refusals = make(map[string]uint64)
	}
	if len(s.refusals) < 256 || s.refusals[reason] > 0 { // reasons are few; bound the map anyway
		s.refusals[reason]++
	} else {
		s.refusals["other"]++
	}
	s.refusalsMu.Unlock()
}

// Refusals returns the join refusals counted by reason.
func (s *Stats) Refusals() map[string]uint64 {
	s.refusalsMu.Lock()
	defer s.refusalsMu.Unlock()
	out := make(map[string]uint64, len(s.refusals))
	for k, v := range s.refusals {
		out[k] = v
	}
	return out
}

// ConnKey labels connections by transport and dialect.
type ConnKey struct{ Transport, Dialect string }

// ConnectionsBy counts the connected sockets by transport and dialect.
func (n *Node) ConnectionsBy() map[ConnKey]int {
	out := make(map[ConnKey]int)
	n.sockets.Range(func(_, v any) bool {
		s := v.(*Socket)
		out[ConnKey{Transport: s.transportName, Dialect: s.dialect.Name()}]++
		return true
	})
	return out
}

// Node is one phxserver instance: the hub of topics, the sockets, presence and the broker.
type Node struct {
	id      string
	log     zerolog.Logger
	auth    Authenticator
	broker  pubsub.Broker
	tracker *presence.Tracker
	history *history.Memory
	// historyStore persists history; nil = memory only.
	historyStore HistoryStore
	hub          *hub
	router       Router
	limits       Limits
	policy       atomic.Pointer[permissions.Table]
	stats        Stats

	triggers  atomic.Pointer[Triggers]
	observers observers

	sockets  sync.Map // client_id -> *Socket
	draining atomic.Bool

	warnMu   sync.Mutex
	warnRate map[string]*rate.Limiter // guarded by warnMu

	topicCh chan string // topics whose broker subscription may need to change
}

// NewNode builds a node. Call Run to start its background loops.
func NewNode(opts Options) (*Node, error) {
	if opts.Policy == nil || opts.Authenticator == nil {
		return nil, errors.New("channels: Options.Policy and Options.Authenticator are required")
	}
	if opts.NodeID == "" {
		opts.NodeID = uuid.NewString()
	}
	if opts.PresenceWindow <= 0 {
		opts.PresenceWindow = 30 * time.Millisecond
	}
	opts.Limits.applyDefaults()
	n := &Node{
		id:       opts.NodeID,
		log:      opts.Logger,
		auth:     opts.Authenticator,
		broker:   opts.Broker,
		hub:      newHub(),
		history:  history.NewMemory(opts.HistoryChannels),
		limits:   opts.Limits,
		warnRate: make(map[string]*rate.Limiter),
		topicCh:  make(chan string, 4096),
	}
	n.policy.Store(opts.Policy)
	n.SetTriggers(opts.Triggers)
	n.historyStore = opts.HistoryStore
	if err := n.loadHistory(); err != nil {
		return nil, fmt.Errorf("channels: load history: %w", err)
	}
	n.tracker = presence.New(presence.Config{NodeID: n.id, Window: opts.PresenceWindow}, opts.Broker, n.onPresenceFlush)
	return n, nil
}

// ID is the node id.
func (n *Node) ID() string { return n.id }

// Router lets an embedding program register its own handlers.
func (n *Node) Router() *Router { return &n.router }

// Stats are the node's live counters.
func (n *Node) Stats() *Stats { return &n.stats }

// Tracker is the node's presence tracker.
func (n *Node) Tracker() *presence.Tracker { return n.tracker }

// Policy is the permission table in force.
func (n *Node) Policy() *permissions.Table { return n.policy.Load() }

// Limits are the node's limits with defaults applied.
func (n *Node) Limits() Limits { return n.limits }

// SetPolicy installs a new permission table (live reload); members the new rules no longer
// admit are removed with a close notice.
func (n *Node) SetPolicy(t *permissions.Table) {
	n.policy.Store(t)
	n.sockets.Range(func(_, v any) bool {
		v.(*Socket).recheckChannels()
		return true
	})
}

// Run runs the node's background work (presence windows, broker delivery, subscriptions)
// until ctx is done.
func (n *Node) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return ignoreCanceled(n.tracker.Run(ctx)) })
	if n.broker != nil {
		g.Go(func() error { return ignoreCanceled(n.broker.Run(ctx, n.deliverRemote)) })
		g.Go(func() error { return n.reconcileSubscriptions(ctx) })
	}
	return g.Wait()
}

func ignoreCanceled(err error) error {
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// ConnectRequest describes a new connection to the core.
type ConnectRequest struct {
	// Token is the bearer token ("" = anonymous).
	Token string
	// InvalidTokenAnonymous continues anonymously when Token fails verification.
	InvalidTokenAnonymous bool
	Dialect               Dialect
	Transport             Transport
	// TransportName labels the socket in metrics ("websocket", "longpoll").
	TransportName string
	RemoteAddr    string
}

// Connect errors.
var (
	ErrTooManyConnections = errors.New("too many connections")
	ErrDraining           = errors.New("server is shutting down")
)

// Connect authenticates a new connection and registers its socket.
func (n *Node) Connect(ctx context.Context, req ConnectRequest) (*Socket, error) {
	if n.draining.Load() {
		return nil, ErrDraining
	}
	if max := n.limits.MaxConnections; max > 0 && n.stats.Connections.Load() >= int64(max) {
		return nil, ErrTooManyConnections
	}
	id, err := n.auth.Authenticate(ctx, req.Token)
	if err != nil {
		if !req.InvalidTokenAnonymous {
			return nil, err
		}
		id = Identity{}
	}
	id.ClientID = uuid.NewString()
	s := &Socket{
		node:          n,
		dialect:       req.Dialect,
		transport:     req.Transport,
		transportName: req.TransportName,
		channels:      make(map[string]*Channel),
		queue:         newOutQueue(n.limits.QueueBytes, n.limits.QueueFrames),
	}
	if n.limits.MessagesPerSecond > 0 {
		burst := int(n.limits.MessagesPerSecond)
		if burst < 1 {
			burst = 1
		}
		s.limiter = rate.NewLimiter(rate.Limit(n.limits.MessagesPerSecond), burst)
	}
	s.setIdentity(&id)
	n.sockets.Store(id.ClientID, s)
	n.stats.Connections.Add(1)
	return s, nil
}

func (n *Node) unregister(s *Socket) {
	if _, ok := n.sockets.LoadAndDelete(s.ClientID()); ok {
		n.stats.Connections.Add(-1)
	}
}

// Socket returns the connected socket with that client id.
func (n *Node) Socket(clientID string) *Socket {
	if v, ok := n.sockets.Load(clientID); ok {
		return v.(*Socket)
	}
	return nil
}

// EachSocket calls fn for every connected socket until fn returns false.
func (n *Node) EachSocket(fn func(*Socket) bool) {
	n.sockets.Range(func(_, v any) bool { return fn(v.(*Socket)) })
}

// newSender precomputes the sender objects of both dialects for an identity.
func newSender(id *Identity) *Sender {
	s := &Sender{ClientID: id.ClientID, Authenticated: id.Authenticated, UserID: id.UserID, Role: id.Role}
	s.PhoenixJSON = appendPhoenixSender(make([]byte, 0, 96+len(id.UserID)+len(id.Role)), id)
	s.XanoJSON = xano.Client{SocketID: id.ClientID, Extras: id.Shared, DboID: id.XanoDboID, RowID: id.XanoRowID}.AppendJSON(nil)
	return s
}

// endMembership removes ch from the hub and presence. The caller has already removed it from
// its socket's map.
func (n *Node) endMembership(ch *Channel) {
	if !ch.closed.CompareAndSwap(false, true) {
		return
	}
	if _, last := n.hub.remove(ch); last {
		n.topicChanged(ch.topic)
	}
	if ch.tracked.Load() {
		n.tracker.Untrack(ch.topic, ch.clientID)
	}
	if tr := n.triggerRunner(); tr.Has(ch.set, TriggerLeave) {
		tr.Notify(n.triggerInput(TriggerLeave, ch, ch.socket.identity.Load(), nil))
	}
	n.observers.each(func(o Observer) { o.OnLeave(ch) })
}

// privateTarget finds the subject of a private message's target among the topic's members.
func (n *Node) privateTarget(topic, clientID, userID, senderID string) (permissions.Subject, bool) {
	if clientID != "" {
		if ch := n.hub.member(topic, clientID); ch != nil {
			return subjectOf(ch.socket.identity.Load()), true
		}
		return n.remoteTarget(topic, func(e presence.Entry) bool { return e.ConnID == clientID })
	}
	var found *Channel
	n.hub.each(topic, func(ch *Channel) {
		if found == nil && ch.authenticated && ch.userID == userID && ch.clientID != senderID {
			found = ch
		}
	})
	if found == nil {
		return n.remoteTarget(topic, func(e presence.Entry) bool { return e.Meta["user_id"] == userID && e.ConnID != senderID })
	}
	return subjectOf(found.socket.identity.Load()), true
}

// remoteTarget looks for a private message's target among the members other nodes track in
// presence (a member on another node that is not tracked cannot be addressed).
func (n *Node) remoteTarget(topic string, match func(presence.Entry) bool) (permissions.Subject, bool) {
	if n.broker == nil {
		return permissions.Subject{}, false
	}
	for _, e := range n.tracker.Snapshot(topic).Entries() {
		if e.Node != n.id && match(e) {
			_, authenticated := e.Meta["user_id"]
			role, _ := e.Meta["role"].(string)
			return permissions.Subject{Authenticated: authenticated, Role: role}, true
		}
	}
	return permissions.Subject{}, false
}

// publish delivers ev to local members and to the other nodes.
func (n *Node) publish(ctx context.Context, ev *Event, set *permissions.Set) {
	n.stats.Broadcasts.Add(1)
	if set != nil && set.History > 0 && ev.Audience != permissions.AudiencePrivate && ev.Binary == nil {
		n.appendHistory(ev, set.History)
	}
	if n.broker != nil {
		if env, err := encodeRemoteEvent(n.id, ev); err == nil {
			if err := n.broker.Publish(ctx, env); err != nil {
				n.Warn("broker_publish", nil, "broker publish failed: "+err.Error())
			}
		}
	}
	n.fanout(ev)
	if ev.Kind == EventClient {
		n.observers.each(func(o Observer) { o.OnMessage(ev) })
	}
}

// fanout hands ev's frames to every local member that should receive it. It never blocks:
// Enqueue drops and disconnects a slow member instead.
func (n *Node) fanout(ev *Event) {
	deliver := func(ch *Channel) {
		if !ev.receives(ch) {
			return
		}
		if ev.Kind == EventClient && ev.Audience == permissions.AudiencePrivate && ev.Sender != nil &&
			ev.TargetClient == "" && ch.clientID == ev.Sender.ClientID {
			return // a private message is not echoed to its sender
		}
		var frames []OutFrame
		if ev.Audience == permissions.AudiencePrivate && ev.TargetClient == "" && ev.Kind != EventPresence {
			// A message to a user reaches each of the user's connections addressed to that
			// connection (Xano carries the recipient in options.socketId): encode per
			// recipient; there are few.
			one := *ev
			one.encoded = [numSlots]encodedFrames{}
			one.TargetClient = ch.clientID
			frames = ch.socket.dialect.EncodeEvent(&one)
		} else {
			frames = ev.framesFor(ch.socket.dialect)
		}
		for _, f := range frames {
			if f.SkipClient != "" && f.SkipClient == ch.clientID {
				continue
			}
			ch.socket.Enqueue(f.Frame)
			n.stats.Deliveries.Add(1)
		}
	}
	if ev.Audience == permissions.AudiencePrivate && ev.TargetClient != "" && ev.Kind != EventPresence {
		s := n.hub.shard(ev.Topic)
		s.mu.RLock()
		defer s.mu.RUnlock()
		if tm := s.topics[ev.Topic]; tm != nil {
			if ch := tm.byClient[ev.TargetClient]; ch != nil {
				deliver(ch)
			}
		}
		return
	}
	n.hub.each(ev.Topic, deliver)
}

// onPresenceFlush pushes the state to members that just joined and the merged diff to the rest.
func (n *Node) onPresenceFlush(f presence.Flush) {
	for _, connID := range f.Waiting {
		if ch := n.hub.member(f.Topic, connID); ch != nil && ch.receivesPresence && !ch.closed.Load() {
			ch.socket.enqueueAll(ch.socket.dialect.EncodePresenceState(ch, f.Snapshot))
		}
	}
	if len(f.Diff.Joins)+len(f.Diff.Leaves) == 0 {
		return
	}
	waiting := make(map[string]struct{}, len(f.Waiting))
	for _, id := range f.Waiting {
		waiting[id] = struct{}{}
	}
	diff := f.Diff
	n.observers.each(func(o Observer) { o.OnPresence(f.Topic, &diff) })
	n.fanout(&Event{Kind: EventPresence, Topic: f.Topic, Name: "presence_diff", Diff: &diff, Waiting: waiting})
}

// BroadcastRequest is a server-originated broadcast (server API, embedding programs).
type BroadcastRequest struct {
	Topic   string
	Event   string
	Payload json.RawMessage
	// To narrows the audience: one client, one user, or authenticated members only.
	ToClient        string
	ToUser          string
	ToAuthenticated bool
	// XanoDboID/XanoRowID are echoed in Xano event frames.
	XanoDboID, XanoRowID any
}

// Broadcast sends a server event to a topic's members on every node. Everyone joined receives
// server broadcasts whatever the permissions, narrowed only by To*.
func (n *Node) Broadcast(ctx context.Context, req BroadcastRequest) {
	ev := &Event{Kind: EventServer, Topic: req.Topic, Name: req.Event, Payload: req.Payload,
		XanoDboID: req.XanoDboID, XanoRowID: req.XanoRowID}
	switch {
	case req.ToClient != "":
		ev.Audience, ev.TargetClient = permissions.AudiencePrivate, req.ToClient
	case req.ToUser != "":
		ev.Audience, ev.TargetUser = permissions.AudiencePrivate, req.ToUser
	case req.ToAuthenticated:
		ev.Audience = permissions.AudienceAuthenticated
	}
	n.publish(ctx, ev, nil)
}

// TopicCounts returns every topic with local members and their member counts.
func (n *Node) TopicCounts() map[string]int { return n.hub.topicCounts() }

// Drain refuses new connections and closes every socket with 1012 ("service restart"), in
// batches, until none is left or ctx is done.
func (n *Node) Drain(ctx context.Context, batch int) {
	n.draining.Store(true)
	if batch <= 0 {
		batch = 500
	}
	i := 0
	n.sockets.Range(func(_, v any) bool {
		v.(*Socket).Disconnect(CloseServiceRestart, "server restart")
		i++
		if i%batch == 0 {
			select {
			case <-ctx.Done():
				return false
			case <-time.After(10 * time.Millisecond):
			}
		}
		return true
	})
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for n.stats.Connections.Load() > 0 {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Draining reports whether Drain has started.
func (n *Node) Draining() bool { return n.draining.Load() }

// Warn logs a client-caused warning, rate-limited per kind so a misbehaving client cannot
// flood the log.
func (n *Node) Warn(key string, fields func(*zerolog.Event), msg string) {
	n.warnMu.Lock()
	lim := n.warnRate[key]
	if lim == nil {
		lim = rate.NewLimiter(rate.Every(time.Second), 5)
		n.warnRate[key] = lim
	}
	ok := lim.Allow()
	n.warnMu.Unlock()
	if !ok {
		return
	}
	e := n.log.Warn().Str("kind", key)
	if fields != nil {
		fields(e)
	}
	e.Msg(msg)
}

// appendPhoenixSender appends {"authenticated":…,"client_id":…[,"role":…][,"user_id":…]}
// (keys sorted, as encoding/json writes maps). Built by hand: it runs on every connect.
func appendPhoenixSender(dst []byte, id *Identity) []byte {
	dst = append(dst, `{"authenticated":`...)
	dst = strconv.AppendBool(dst, id.Authenticated)
	dst = append(dst, `,"client_id":`...)
	dst = jsonenc.AppendString(dst, id.ClientID)
	if id.Authenticated {
		if id.Role != "" {
			dst = append(dst, `,"role":`...)
			dst = jsonenc.AppendString(dst, id.Role)
		}
		dst = append(dst, `,"user_id":`...)
		dst = jsonenc.AppendString(dst, id.UserID)
	}
	return append(dst, '}')
}
