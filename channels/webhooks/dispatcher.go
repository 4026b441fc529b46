package webhooks

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/presence"
)

// Defaults of Options.
const (
	DefaultQueueSize   = 4096
	DefaultWorkers     = 8
	DefaultMaxAttempts = 5
	DefaultBaseBackoff = 200 * time.Millisecond
	DefaultMaxBackoff  = 10 * time.Second
	DefaultTimeout     = 5 * time.Second
)

// Options configure a Dispatcher; zero values take the defaults above.
type Options struct {
	Endpoints []Endpoint
	// QueueSize bounds the events waiting for a worker; beyond it events are dropped.
	QueueSize int
	// Workers deliver concurrently; a worker sleeping through a retry holds its slot.
	Workers int
	// MaxAttempts per event and endpoint, the first try included.
	MaxAttempts int
	// BaseBackoff doubles per retry up to MaxBackoff; each wait is jittered into [d/2, d].
	BaseBackoff, MaxBackoff time.Duration
	// Timeout bounds one HTTP attempt.
	Timeout time.Duration
	// Client overrides the HTTP client (tests); nil builds one with connection reuse.
	Client *http.Client
	// Observe, when set, is told each event's final outcome ("ok", "error", "timeout",
	// "dropped") and, for delivered or failed events, the time from the first attempt.
	Observe func(outcome string, d time.Duration)
	Logger  zerolog.Logger
}

// Stats are the Dispatcher's counters.
type Stats struct {
	// Queued events (one per matching endpoint).
	Queued atomic.Int64
	// Delivered events (2xx answer).
	Delivered atomic.Int64
	// Retries are attempts after the first.
	Retries atomic.Int64
	// Dropped events: the queue was full.
	Dropped atomic.Int64
	// Failed events: out of attempts, a final 4xx, or shutdown.
	Failed atomic.Int64
}

// Dispatcher delivers channel activity to the configured endpoints. It implements
// channels.Observer: its methods only enqueue and never block. Start delivery with Run.
type Dispatcher struct {
	opts      Options
	endpoints atomic.Pointer[[]*endpoint]
	queue     chan *job
	client    *http.Client
	log       zerolog.Logger
	stats     Stats
	lastWarn  atomic.Int64 // unix nanos of the last drop warning (rate limit)
}

var _ channels.Observer = (*Dispatcher)(nil)

// New validates the endpoints and returns a Dispatcher (not yet delivering: call Run).
func New(opts Options) (*Dispatcher, error) {
	setDefault(&opts.QueueSize, DefaultQueueSize)
	setDefault(&opts.Workers, DefaultWorkers)
	setDefault(&opts.MaxAttempts, DefaultMaxAttempts)
	setDefault(&opts.BaseBackoff, DefaultBaseBackoff)
	setDefault(&opts.MaxBackoff, DefaultMaxBackoff)
	setDefault(&opts.Timeout, DefaultTimeout)
	d := &Dispatcher{opts: opts, queue: make(chan *job, opts.QueueSize), log: opts.Logger, client: opts.Client}
	if d.client == nil {
		d.client = newHTTPClient(opts.Workers)
	}
	if err := d.SetEndpoints(opts.Endpoints); err != nil {
		return nil, err
	}
	return d, nil
}

func setDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// newHTTPClient reuses connections (keep-alive per receiver) and never follows redirects: a
// redirected POST is a receiver misconfiguration, reported as a final failure.
func newHTTPClient(workers int) *http.Client {
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   max(workers, 2),
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport:     t,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// SetEndpoints replaces the endpoints (configuration reload). Queued events keep the endpoint
// they were queued for. On error the current endpoints stay.
func (d *Dispatcher) SetEndpoints(list []Endpoint) error {
	compiled := make([]*endpoint, 0, len(list))
	for _, e := range list {
		ep, err := compileEndpoint(e)
		if err != nil {
			return err
		}
		compiled = append(compiled, ep)
	}
	d.endpoints.Store(&compiled)
	return nil
}

// Stats returns the live counters.
func (d *Dispatcher) Stats() *Stats { return &d.stats }

// OnJoin queues a join event.
func (d *Dispatcher) OnJoin(ch *channels.Channel) { d.onMembership(EventJoin, maskJoin, ch) }

// OnLeave queues a leave event.
func (d *Dispatcher) OnLeave(ch *channels.Channel) { d.onMembership(EventLeave, maskLeave, ch) }

func (d *Dispatcher) onMembership(event string, mask eventMask, ch *channels.Channel) {
	if !d.anyWants(mask, ch.Topic()) {
		return
	}
	id := ch.Identity()
	client := &Client{ClientID: id.ClientID, Authenticated: id.Authenticated, UserID: id.UserID, Role: id.Role}
	d.enqueue(mask, ch.Topic(), func(j *job) { j.event, j.client = event, client })
}

// OnMessage queues a client message event (binary payloads are sent without payload).
func (d *Dispatcher) OnMessage(ev *channels.Event) {
	if ev == nil || !d.anyWants(maskMessage, ev.Topic) {
		return
	}
	var client *Client
	if s := ev.Sender; s != nil {
		client = &Client{ClientID: s.ClientID, Authenticated: s.Authenticated, UserID: s.UserID, Role: s.Role}
	}
	d.enqueue(maskMessage, ev.Topic, func(j *job) {
		j.event, j.client, j.msgEvent, j.audience, j.payload = EventMessage, client, ev.Name, audienceName(ev.Audience), ev.Payload
	})
}

// OnPresence queues a presence event with the merged diff.
func (d *Dispatcher) OnPresence(topic string, diff *presence.Diff) {
	if diff == nil || diff.Empty() || !d.anyWants(maskPresence, topic) {
		return
	}
	joins, leaves := diff.Joins, diff.Leaves
	d.enqueue(maskPresence, topic, func(j *job) { j.event, j.joins, j.leaves = EventPresence, joins, leaves })
}

func audienceName(a permissions.Audience) string {
	switch a {
	case permissions.AudienceAuthenticated:
		return "authenticated"
	case permissions.AudiencePrivate:
		return "private"
	default:
		return "public"
	}
}

func (d *Dispatcher) anyWants(mask eventMask, channel string) bool {
	for _, ep := range *d.endpoints.Load() {
		if ep.wants(mask, channel) {
			return true
		}
	}
	return false
}

// enqueue queues one job per matching endpoint, all with the same event id; a full queue
// drops (counted, warned at most once per second).
func (d *Dispatcher) enqueue(mask eventMask, channel string, fill func(*job)) {
	id := uuid.New()
	now := time.Now().UTC()
	for _, ep := range *d.endpoints.Load() {
		if !ep.wants(mask, channel) {
			continue
		}
		j := &job{ep: ep, channel: channel, at: now, id: id}
		fill(j)
		select {
		case d.queue <- j:
			d.stats.Queued.Add(1)
		default:
			d.stats.Dropped.Add(1)
			d.observe("dropped", 0)
			d.warnDrop(j, "queue full")
		}
	}
}

// warnDrop logs a dropped event at most once per second.
func (d *Dispatcher) warnDrop(j *job, why string) {
	now := time.Now().UnixNano()
	last := d.lastWarn.Load()
	if now-last < int64(time.Second) || !d.lastWarn.CompareAndSwap(last, now) {
		return
	}
	d.log.Warn().Str("url", j.ep.url).Str("event", j.event).Str("channel", j.channel).
		Int64("dropped_total", d.stats.Dropped.Load()).Int64("failed_total", d.stats.Failed.Load()).
		Msg("webhook event dropped: " + why)
}

// Run delivers queued events with Options.Workers workers until ctx is done. Events still
// queued or being retried then are abandoned (counted as Failed) and idle connections closed.
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range d.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.work(ctx)
		}()
	}
	wg.Wait()
	for {
		select {
		case <-d.queue:
			d.stats.Failed.Add(1)
		default:
			d.client.CloseIdleConnections()
			return nil
		}
	}
}

func (d *Dispatcher) work(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-d.queue:
			d.deliver(ctx, j)
		}
	}
}

func (d *Dispatcher) observe(outcome string, dur time.Duration) {
	if d.opts.Observe != nil {
		d.opts.Observe(outcome, dur)
	}
}
