package auth

import (
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/time/rate"
)

// Each refusal reason may log this many lines per second (with a small burst); the rest are
// counted and reported on the next line that gets through, so a flood of bad tokens cannot
// flood the log.
const (
	refusalLogsPerSecond = 2
	refusalLogBurst      = 5
	maxLoggedHeaderBytes = 64
	// Details may quote attacker-chosen strings (a kid), hence the cap.
	maxLoggedDetailBytes = 256
)

// refusalLog writes one warn line per refused token, rate-limited per reason.
type refusalLog struct {
	log zerolog.Logger
	now func() time.Time
	// budgets is built once and only read afterwards, so it needs no lock.
	budgets map[error]*reasonBudget
}

type reasonBudget struct {
	limiter    *rate.Limiter
	suppressed atomic.Int64
}

func newRefusalLog(log zerolog.Logger) *refusalLog {
	r := &refusalLog{log: log, now: time.Now, budgets: make(map[error]*reasonBudget, len(refusalReasons))}
	for _, reason := range refusalReasons {
		r.budgets[reason] = &reasonBudget{limiter: rate.NewLimiter(refusalLogsPerSecond, refusalLogBurst)}
	}
	return r
}

// refused logs reason (a package sentinel) with the internal detail and the token's alg and kid
// headers. The token itself is never logged.
func (r *refusalLog) refused(reason, detail error, alg, kid string) {
	budget := r.budgets[reason]
	if budget == nil {
		budget = r.budgets[ErrMalformed]
	}
	if !budget.limiter.AllowN(r.now(), 1) {
		budget.suppressed.Add(1)
		return
	}
	event := r.log.Warn().Str("reason", reason.Error())
	if detail != nil && detail != reason {
		event = event.Str("detail", truncate(detail.Error(), maxLoggedDetailBytes))
	}
	if alg != "" {
		event = event.Str("alg", truncate(alg, maxLoggedHeaderBytes))
	}
	if kid != "" {
		event = event.Str("kid", truncate(kid, maxLoggedHeaderBytes))
	}
	if n := budget.suppressed.Swap(0); n > 0 {
		event = event.Int64("suppressed", n)
	}
	event.Msg("auth: token refused")
}

func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
