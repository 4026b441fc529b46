package presence

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/phxserver/phxserver/channels/pubsub"
)

// EnvelopeKind is the pubsub.Envelope kind of presence replication envelopes. The core routes
// envelopes of this kind to Tracker.HandleRemote.
const EnvelopeKind uint8 = 16

// ReplicationChannel is the broker channel presence replication runs on.
const ReplicationChannel = "phx:presence"

// Defaults applied by New to zero Config fields.
const (
	DefaultHeartbeatInterval = time.Second
	DefaultDownAfter         = 5 * time.Second
)

// Errors returned by the Tracker.
var (
	// ErrAlreadyTracked means the connection is already tracked in the topic; use Update.
	ErrAlreadyTracked = errors.New("presence: already tracked")
	// ErrNotTracked means the connection is not tracked in the topic.
	ErrNotTracked = errors.New("presence: not tracked")
	// ErrInvalid means an argument was empty or could not be encoded as JSON.
	ErrInvalid = errors.New("presence: invalid argument")
	// ErrAlreadyRunning is returned by a second concurrent Run.
	ErrAlreadyRunning = errors.New("presence: tracker already running")
)

// Config configures a Tracker.
type Config struct {
	// NodeID is this node's id. It must equal the id the broker reports in Envelope.Node for
	// this node, since sync replies are addressed by it. Empty means a random id.
	NodeID string
	// Window is the merge window for diffs and state snapshots (config
	// engine.presence_window, whose default is 30ms). Zero flushes as soon as Run is woken.
	Window time.Duration
	// HeartbeatInterval is the replication heartbeat period (zero means 1s).
	HeartbeatInterval time.Duration
	// DownAfter is how long a remote node may stay silent before its entries expire (zero
	// means 5s).
	DownAfter time.Duration
	// Now is the clock for phx_refs and remote-node liveness; nil means time.Now. Windows
	// are timed with real timers regardless.
	Now func() time.Time
}

// Flush is what the tracker hands the core at the end of a window for one topic.
type Flush struct {
	// Topic is the topic the flush is for.
	Topic string
	// Diff holds the merged changes of the window, to be broadcast to members that are not
	// in Waiting. It may be empty when the flush only answers RequestState.
	Diff Diff
	// Snapshot is the topic's state after the window, to be pushed as presence_state to
	// every connection in Waiting. It is nil when Waiting is empty: building a snapshot of
	// a big room on every window would cost O(N) each time; use Tracker.Snapshot instead.
	Snapshot *Snapshot
	// Waiting holds the connection ids that called RequestState in this window, in call
	// order, without duplicates.
	Waiting []string
}

const numShards = 32

// Tracker tracks presence per topic, merges changes per window and replicates local
// entries to other nodes over a pubsub.Broker. See the package documentation.
type Tracker struct {
	cfg         Config
	broker      pubsub.Broker // nil: single node, no replication
	onFlush     func(Flush)
	refs        *refGen
	incarnation uint64 // random per Tracker, lets peers notice a restart under the same NodeID

	wake       chan struct{} // capacity 1: a topic became dirty
	running    atomic.Bool
	localCount atomic.Int64

	shards [numShards]shard     // topic state, by topic hash
	conns  [numShards]connShard // connID -> topics, by conn hash
	out    outbox               // replication messages waiting for the sender
	// sendSeq is the last delta number; owned by the sender goroutine of the active Run.
	sendSeq uint64

	remoteMu sync.Mutex // guards remotes; taken before any shard.mu
	remotes  map[string]*remoteNode
}

// New returns a Tracker. broker may be nil (single node, no replication). onFlush is called
// from Run's goroutine, one Flush at a time, with no tracker lock held.
func New(cfg Config, broker pubsub.Broker, onFlush func(Flush)) *Tracker {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Window < 0 {
		cfg.Window = 0
	}
	if cfg.HeartbeatInterval <= 0 {
		cfg.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if cfg.DownAfter <= 0 {
		cfg.DownAfter = DefaultDownAfter
	}
	var seed [8]byte
	_, _ = rand.Read(seed[:])
	if cfg.NodeID == "" {
		cfg.NodeID = hex.EncodeToString(seed[:])
	}
	if onFlush == nil {
		onFlush = func(Flush) {}
	}
	t := &Tracker{
		cfg:         cfg,
		broker:      broker,
		onFlush:     onFlush,
		refs:        newRefGen(cfg.NodeID, cfg.Now),
		incarnation: binary.BigEndian.Uint64(seed[:]) | 1,
		wake:        make(chan struct{}, 1),
		remotes:     make(map[string]*remoteNode),
	}
	t.out.init(broker != nil)
	for i := range t.shards {
		t.shards[i].topics = make(map[string]*topicState)
		t.shards[i].dirty = make(map[string]*topicState)
		t.conns[i].topics = make(map[string]map[string]struct{})
	}
	return t
}

// NodeID returns the node id the tracker uses.
func (t *Tracker) NodeID() string { return t.cfg.NodeID }

// signal wakes Run without blocking.
func (t *Tracker) signal() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// strHash is FNV-1a over a string, without allocating.
func strHash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

func (t *Tracker) shardFor(topic string) *shard { return &t.shards[strHash(topic)%numShards] }

func (t *Tracker) connShardFor(connID string) *connShard {
	return &t.conns[strHash(connID)%numShards]
}

// connShard indexes the topics each local connection is tracked in, for UntrackConn.
type connShard struct {
	mu     sync.Mutex // taken after shard.mu
	topics map[string]map[string]struct{}
}

func (c *connShard) add(connID, topic string) {
	c.mu.Lock()
	set := c.topics[connID]
	if set == nil {
		set = make(map[string]struct{}, 1)
		c.topics[connID] = set
	}
	set[topic] = struct{}{}
	c.mu.Unlock()
}

func (c *connShard) remove(connID, topic string) {
	c.mu.Lock()
	if set := c.topics[connID]; set != nil {
		delete(set, topic)
		if len(set) == 0 {
			delete(c.topics, connID)
		}
	}
	c.mu.Unlock()
}

func (c *connShard) take(connID string) []string {
	c.mu.Lock()
	set := c.topics[connID]
	delete(c.topics, connID)
	c.mu.Unlock()
	out := make([]string, 0, len(set))
	for topic := range set {
		out = append(out, topic)
	}
	return out
}
