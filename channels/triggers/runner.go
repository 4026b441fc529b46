package triggers

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/permissions"
)

// Runner limits.
const (
	// DefaultDeadline bounds a non-webhook function (they do not block; this is a backstop).
	DefaultDeadline = time.Second
	// leaveQueue bounds the leave notifications waiting for a worker; beyond it they are dropped.
	leaveQueue = 1024
	// leaveWorkers run leave triggers concurrently.
	leaveWorkers = 4
	// unavailableReason refuses events whose set names a function the runner lacks (a reload
	// in progress); failing closed keeps a guard from silently vanishing.
	unavailableReason = "trigger unavailable"
)

// Stats are a Runner's counters.
type Stats struct {
	// Denied events (join or message refused).
	Denied atomic.Int64
	// LeaveDropped: leave notifications dropped because the queue was full or the runner closed.
	LeaveDropped atomic.Int64
	// AuditDropped: audit lines dropped (queue full, write failure, closed).
	AuditDropped atomic.Int64
	// WebhookErrors: webhook calls that timed out or failed (on_error applied).
	WebhookErrors atomic.Int64
	// Panics recovered from functions (the event was refused).
	Panics atomic.Int64
}

type entry struct {
	fn       function
	deadline time.Duration
}

// Runner runs the trigger functions named by permission sets. It implements channels.Triggers.
// New starts its background goroutines (leave workers, audit writers); Close stops them.
type Runner struct {
	fns     map[string]entry
	log     zerolog.Logger
	client  *http.Client
	writers []*auditWriter
	stats   Stats

	// observe, when set, is told each function run's outcome and duration (metrics).
	observe func(function, outcome string, d time.Duration)

	leaves    chan channels.TriggerInput
	done      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
}

var _ channels.Triggers = (*Runner)(nil)

// New builds every function of functions (name → spec) and starts the background work. On
// error nothing is left running.
func New(functions map[string]FunctionSpec, log zerolog.Logger) (*Runner, error) {
	r := &Runner{
		fns: make(map[string]entry, len(functions)), log: log, client: newTriggerHTTPClient(),
		leaves: make(chan channels.TriggerInput, leaveQueue), done: make(chan struct{}),
	}
	names := make([]string, 0, len(functions))
	for name := range functions {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic first error
	writers := map[string]*auditWriter{}
	for _, name := range names {
		e, err := r.build(name, functions[name], writers)
		if err != nil {
			for _, w := range r.writers {
				w.close()
			}
			return nil, fmt.Errorf("function %q: %w", name, err)
		}
		r.fns[name] = e
	}
	for range leaveWorkers {
		r.wg.Add(1)
		go r.leaveWorker()
	}
	return r, nil
}

func (r *Runner) build(name string, s FunctionSpec, writers map[string]*auditWriter) (entry, error) {
	e := entry{deadline: DefaultDeadline}
	var err error
	switch s.Type {
	case TypeRateLimit:
		e.fn, err = newRateLimit(s)
	case TypeClaimMatch:
		e.fn, err = newClaimMatch(s)
	case TypeContentFilter:
		e.fn, err = newContentFilter(s)
	case TypeAuditLog:
		if s.Path == "" {
			return e, fmt.Errorf("%w: audit_log needs a path", ErrInvalidFunction)
		}
		w := writers[s.Path] // two functions on one file share its single writer
		if w == nil {
			if w, err = openAuditWriter(s.Path, s.MaxSize, &r.stats.AuditDropped, r.log); err != nil {
				return e, err
			}
			writers[s.Path] = w
			r.writers = append(r.writers, w)
		}
		e.fn = &auditLog{w: w, now: time.Now}
	case TypeWebhook:
		var w *webhook
		w, err = newWebhook(name, s, r.client, &r.stats.WebhookErrors, r.log)
		if err == nil {
			e.fn, e.deadline = w, w.timeout
		}
	default:
		err = fmt.Errorf("%w: unknown type %q", ErrInvalidFunction, s.Type)
	}
	return e, err
}

// Stats returns the live counters.
func (r *Runner) Stats() *Stats { return &r.stats }

// Has reports whether set has a trigger for event ("*" matches every event). It does not
// allocate.
func (r *Runner) Has(set *permissions.Set, event string) bool {
	if set == nil {
		return false
	}
	for i := range set.Triggers {
		if e := set.Triggers[i].Event; e == event || e == "*" {
			return true
		}
	}
	return false
}

// Run runs in.Set's triggers for in.Event in configured order, each under its deadline. The
// first deny wins; a replaced payload is seen by the later triggers and returned for delivery.
func (r *Runner) Run(ctx context.Context, in channels.TriggerInput) channels.TriggerVerdict {
	v := channels.TriggerVerdict{Allow: true}
	if in.Set == nil {
		return v
	}
	for _, t := range in.Set.Triggers {
		if t.Event != in.Event && t.Event != "*" {
			continue
		}
		e, ok := r.fns[t.Function]
		if !ok {
			r.log.Error().Str("function", t.Function).Str("set", in.Set.Pattern).Msg("trigger function not configured; refusing")
			r.stats.Denied.Add(1)
			return channels.TriggerVerdict{Reason: unavailableReason}
		}
		res := r.call(ctx, e, t.Function, &in)
		if !res.allow {
			r.stats.Denied.Add(1)
			return channels.TriggerVerdict{Reason: res.reason}
		}
		if res.payload != nil {
			in.Payload, v.Payload = res.payload, res.payload
		}
	}
	return v
}

// Trigger outcomes reported to the observer.
const (
	OutcomeAllow   = "allow"
	OutcomeDeny    = "deny"
	OutcomeError   = "error"
	OutcomeTimeout = "timeout"
)

// Observe sets fn to be told every function run's outcome (OutcomeAllow, OutcomeDeny,
// OutcomeError, OutcomeTimeout) and duration. Call it before the runner is installed.
func (r *Runner) Observe(fn func(function, outcome string, d time.Duration)) { r.observe = fn }

// call runs one function under its deadline; a panic refuses the event instead of crashing.
func (r *Runner) call(ctx context.Context, e entry, name string, in *channels.TriggerInput) (res result) {
	ctx, cancel := context.WithTimeout(ctx, e.deadline)
	defer cancel()
	start := time.Now()
	panicked := false
	defer func() {
		if p := recover(); p != nil {
			panicked = true
			r.stats.Panics.Add(1)
			r.log.Error().Str("function", name).Interface("panic", p).Bytes("stack", debug.Stack()).Msg("trigger function crashed")
			res = deny(unavailableReason)
		}
		if r.observe != nil {
			outcome := OutcomeAllow
			switch {
			case panicked:
				outcome = OutcomeError
			case ctx.Err() == context.DeadlineExceeded:
				outcome = OutcomeTimeout
			case !res.allow:
				outcome = OutcomeDeny
			}
			r.observe(name, outcome, time.Since(start))
		}
	}()
	return e.fn.call(ctx, in)
}

// Notify queues leave triggers for the leave workers; when the queue is full or the runner is
// closed the notification is dropped and counted.
func (r *Runner) Notify(in channels.TriggerInput) {
	select {
	case <-r.done:
		r.stats.LeaveDropped.Add(1)
		return
	default:
	}
	select {
	case r.leaves <- in:
	default:
		r.stats.LeaveDropped.Add(1)
	}
}

func (r *Runner) leaveWorker() {
	defer r.wg.Done()
	for {
		select {
		case <-r.done:
			return
		case in := <-r.leaves:
			r.Run(context.Background(), in)
		}
	}
}

// Close stops the leave workers (queued leave notifications are dropped), flushes, fsyncs
// and closes the audit files, and closes idle webhook connections. Run still works after
// Close, but audit lines and leave notifications are then dropped. Close is idempotent.
func (r *Runner) Close() error {
	r.closeOnce.Do(func() {
		close(r.done)
		r.wg.Wait()
		for {
			select {
			case <-r.leaves:
				r.stats.LeaveDropped.Add(1)
				continue
			default:
			}
			break
		}
		for _, w := range r.writers {
			w.close()
		}
		r.client.CloseIdleConnections()
	})
	return nil
}
