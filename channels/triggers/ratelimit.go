package triggers

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/phxserver/phxserver/channels"
)

// maxBuckets bounds a rate limiter's memory. Idle buckets (full again) are swept first; past
// the bound arbitrary buckets are evicted, which only ever makes the limiter more lenient.
const maxBuckets = 100_000

// bucketKey avoids building a string per event; kind separates user ids from client ids.
type bucketKey struct {
	kind byte // 'u' user, 'c' client, 'h' channel
	id   string
}

type bucket struct {
	tokens float64
	last   time.Time
}

// rateLimit is a token bucket per key: limit tokens, refilled continuously over per.
type rateLimit struct {
	limit   float64
	per     time.Duration
	keyBy   string
	now     func() time.Time
	reasons map[string]string // per trigger event, precomputed

	mu        sync.Mutex
	buckets   map[bucketKey]*bucket // guarded by mu
	lastSweep time.Time             // guarded by mu
}

func newRateLimit(s FunctionSpec) (*rateLimit, error) {
	if s.Limit <= 0 || s.Per <= 0 {
		return nil, fmt.Errorf("%w: rate_limit needs a positive limit and per", ErrInvalidFunction)
	}
	key := s.Key
	if key == "" {
		key = KeyUser
	}
	if key != KeyUser && key != KeyClient && key != KeyChannel {
		return nil, fmt.Errorf("%w: rate_limit key %q (want user, client or channel)", ErrInvalidFunction, key)
	}
	r := &rateLimit{limit: float64(s.Limit), per: s.Per, keyBy: key, now: time.Now, buckets: make(map[bucketKey]*bucket)}
	r.reasons = map[string]string{
		channels.TriggerJoin:    fmt.Sprintf("rate limit exceeded: %d joins per %s", s.Limit, s.Per),
		channels.TriggerMessage: fmt.Sprintf("rate limit exceeded: %d messages per %s", s.Limit, s.Per),
		channels.TriggerLeave:   fmt.Sprintf("rate limit exceeded: %d leaves per %s", s.Limit, s.Per),
	}
	return r, nil
}

func (r *rateLimit) key(in *channels.TriggerInput) bucketKey {
	switch r.keyBy {
	case KeyChannel:
		return bucketKey{'h', in.Channel}
	case KeyUser:
		if in.Client.Authenticated && in.Client.UserID != "" {
			return bucketKey{'u', in.Client.UserID}
		}
	}
	return bucketKey{'c', in.Client.ClientID}
}

func (r *rateLimit) call(_ context.Context, in *channels.TriggerInput) result {
	if r.take(r.key(in)) {
		return allow
	}
	return deny(r.reasons[in.Event])
}

// take spends one token of key's bucket; it reports false when the bucket is empty.
func (r *rateLimit) take(k bucketKey) bool {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.maybeSweep(now)
	b := r.buckets[k]
	if b == nil {
		b = &bucket{tokens: r.limit, last: now}
		r.buckets[k] = b
	} else if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(r.limit, b.tokens+r.limit*float64(elapsed)/float64(r.per))
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// maybeSweep drops buckets idle for a whole period (they would be full, same as absent) at
// most once per period, and enforces maxBuckets.
func (r *rateLimit) maybeSweep(now time.Time) {
	if now.Sub(r.lastSweep) < r.per && len(r.buckets) < maxBuckets {
		return
	}
	r.lastSweep = now
	for k, b := range r.buckets {
		if now.Sub(b.last) >= r.per {
			delete(r.buckets, k)
		}
	}
	for k := range r.buckets {
		if len(r.buckets) < maxBuckets*9/10 {
			break
		}
		delete(r.buckets, k)
	}
}

func (r *rateLimit) size() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.buckets)
}
