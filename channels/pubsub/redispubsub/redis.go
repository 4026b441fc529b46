// Package redispubsub is the Redis Broker: nodes of a cluster exchange envelopes over Redis
// Pub/Sub (go-redis v9). Each node keeps one Pub/Sub connection; Subscribe and Unsubscribe
// return only once Redis has applied them, so a publish that follows them is ordered after.
package redispubsub

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels/pubsub"
)

// wireVersion is the first byte of every envelope on the wire.
const wireVersion = 1

// DefaultPrefix namespaces phxserver's Redis channels.
const DefaultPrefix = "phx:"

// inboxSize bounds the envelopes received but not yet handed to Run; beyond it they are
// dropped and counted, as a slow network broker would lose them.
const inboxSize = 1 << 16

// confirmTimeout bounds the wait for Redis to confirm a subscription change.
const confirmTimeout = 5 * time.Second

// ErrAlreadyRunning refuses a second concurrent Run.
var ErrAlreadyRunning = errors.New("redispubsub: Run already running")

// Options configure a Broker.
type Options struct {
	// URL is the Redis URL, e.g. redis://127.0.0.1:6379/0.
	URL string
	// NodeID identifies this node; envelopes it published are not delivered back to it.
	NodeID string
	// Prefix namespaces the Redis channel names (default "phx:").
	Prefix string
	Logger zerolog.Logger
}

// Broker implements pubsub.Broker over Redis Pub/Sub.
type Broker struct {
	rdb    *redis.Client
	ps     *redis.PubSub
	node   string
	prefix string
	log    zerolog.Logger

	mu     sync.Mutex
	counts map[string]int           // subscription counts by channel; guarded by mu
	pongs  map[string]chan struct{} // pending confirmation pings; guarded by mu

	inbox   chan pubsub.Envelope
	dropped atomic.Uint64
	running atomic.Bool
	seq     atomic.Uint64

	stop chan struct{}
	done chan struct{}
}

// New connects to Redis and starts the receiving loop. Close stops it.
func New(ctx context.Context, o Options) (*Broker, error) {
	opts, err := redis.ParseURL(o.URL)
	if err != nil {
		return nil, fmt.Errorf("redispubsub: %w", err)
	}
	if o.NodeID == "" || len(o.NodeID) > 255 {
		return nil, errors.New("redispubsub: NodeID must be 1..255 bytes")
	}
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	rdb := redis.NewClient(opts)
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("redispubsub: ping %s: %w", opts.Addr, err)
	}
	b := &Broker{
		rdb: rdb, ps: rdb.Subscribe(context.WithoutCancel(ctx)), node: o.NodeID, prefix: o.Prefix, log: o.Logger,
		counts: make(map[string]int), pongs: make(map[string]chan struct{}),
		inbox: make(chan pubsub.Envelope, inboxSize), stop: make(chan struct{}), done: make(chan struct{}),
	}
	go b.receive()
	return b, nil
}

// Close stops receiving and closes the Redis connections.
func (b *Broker) Close() error {
	select {
	case <-b.stop:
		return nil
	default:
	}
	close(b.stop)
	err := b.ps.Close()
	<-b.done
	return errors.Join(err, b.rdb.Close())
}

// Dropped counts envelopes lost because Run did not keep up.
func (b *Broker) Dropped() uint64 { return b.dropped.Load() }

// encode frames an envelope: version, kind, node length, node, data.
func encode(node string, e pubsub.Envelope) []byte {
	out := make([]byte, 0, 3+len(node)+len(e.Data))
	out = append(out, wireVersion, e.Kind, byte(len(node)))
	out = append(out, node...)
	return append(out, e.Data...)
}

func decode(channel string, payload string) (pubsub.Envelope, bool) {
	if len(payload) < 3 || payload[0] != wireVersion {
		return pubsub.Envelope{}, false
	}
	n := int(payload[2])
	if len(payload) < 3+n {
		return pubsub.Envelope{}, false
	}
	return pubsub.Envelope{Channel: channel, Kind: payload[1], Node: payload[3 : 3+n], Data: []byte(payload[3+n:])}, true
}

// Publish sends e to the other nodes subscribed to e.Channel.
func (b *Broker) Publish(ctx context.Context, e pubsub.Envelope) error {
	return b.rdb.Publish(ctx, b.prefix+e.Channel, encode(b.node, e)).Err()
}

// Subscribe counts one subscription; the first one subscribes in Redis and waits until Redis
// applied it.
func (b *Broker) Subscribe(ctx context.Context, channel string) error {
	b.mu.Lock()
	b.counts[channel]++
	first := b.counts[channel] == 1
	b.mu.Unlock()
	if !first {
		return nil
	}
	if err := b.ps.Subscribe(ctx, b.prefix+channel); err != nil {
		return err
	}
	return b.confirm(ctx)
}

// Unsubscribe undoes one Subscribe; the last one unsubscribes in Redis.
func (b *Broker) Unsubscribe(ctx context.Context, channel string) error {
	b.mu.Lock()
	if b.counts[channel] == 0 {
		b.mu.Unlock()
		return nil
	}
	b.counts[channel]--
	last := b.counts[channel] == 0
	if last {
		delete(b.counts, channel)
	}
	b.mu.Unlock()
	if !last {
		return nil
	}
	if err := b.ps.Unsubscribe(ctx, b.prefix+channel); err != nil {
		return err
	}
	return b.confirm(ctx)
}

// confirm sends a PING on the Pub/Sub connection and waits for its PONG: Redis answers in
// order, so every earlier (un)subscribe has been applied by then.
func (b *Broker) confirm(ctx context.Context) error {
	token := "c" + strconv.FormatUint(b.seq.Add(1), 36)
	ch := make(chan struct{})
	b.mu.Lock()
	b.pongs[token] = ch
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.pongs, token)
		b.mu.Unlock()
	}()
	if err := b.ps.Ping(ctx, token); err != nil {
		return err
	}
	t := time.NewTimer(confirmTimeout)
	defer t.Stop()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return errors.New("redispubsub: subscription not confirmed in time")
	}
}

// receive reads the Pub/Sub connection until Close: messages go to the inbox, pongs confirm
// subscription changes. go-redis reconnects and resubscribes after a network error.
func (b *Broker) receive() {
	defer close(b.done)
	ctx := context.Background()
	for {
		msg, err := b.ps.Receive(ctx)
		select {
		case <-b.stop:
			return
		default:
		}
		if err != nil {
			if errors.Is(err, redis.ErrClosed) {
				return
			}
			b.log.Warn().Err(err).Msg("redis pubsub receive failed; reconnecting")
			select {
			case <-b.stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
			continue
		}
		switch m := msg.(type) {
		case *redis.Message:
			b.handle(m)
		case *redis.Pong:
			b.mu.Lock()
			if ch := b.pongs[m.Payload]; ch != nil {
				close(ch)
				delete(b.pongs, m.Payload)
			}
			b.mu.Unlock()
		}
	}
}

func (b *Broker) handle(m *redis.Message) {
	channel, ok := strings.CutPrefix(m.Channel, b.prefix)
	if !ok {
		return
	}
	e, ok := decode(channel, m.Payload)
	if !ok || e.Node == b.node {
		return
	}
	b.mu.Lock()
	subscribed := b.counts[channel] > 0
	b.mu.Unlock()
	if !subscribed {
		return // raced an Unsubscribe
	}
	select {
	case b.inbox <- e:
	default:
		b.dropped.Add(1)
	}
}

// Run delivers received envelopes one at a time until ctx is done.
func (b *Broker) Run(ctx context.Context, deliver func(pubsub.Envelope)) error {
	if !b.running.CompareAndSwap(false, true) {
		return ErrAlreadyRunning
	}
	defer b.running.Store(false)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e := <-b.inbox:
			deliver(e)
		}
	}
}
