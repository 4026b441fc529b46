package auth

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable time source for the log limiter.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestRefusalLogIsRateLimited(t *testing.T) {
	tests := []struct {
		name      string
		failures  int
		wantLines int
	}{
		{"a single failure", 1, 1},
		{"a burst", refusalLogBurst, refusalLogBurst},
		{"a flood of 1000", 1000, refusalLogBurst},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, logs := newTestVerifier(t, hsConfig())
			clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
			v.refusals.now = clock.Now

			for range tt.failures {
				if _, err := v.Authenticate(context.Background(), "not-a-jwt"); err != ErrMalformed {
					t.Fatalf("error = %v, want ErrMalformed", err)
				}
			}
			if got := len(logs.refusals(t)); got != tt.wantLines {
				t.Fatalf("%d log lines after %d failures, want %d", got, tt.failures, tt.wantLines)
			}

			// Once the budget refills, the next line reports how many were suppressed.
			clock.Advance(time.Second)
			_, _ = v.Authenticate(context.Background(), "not-a-jwt")
			lines := logs.refusals(t)
			last := lines[len(lines)-1]
			wantSuppressed := tt.failures - tt.wantLines
			got, _ := last["suppressed"].(float64)
			if int(got) != wantSuppressed {
				t.Errorf("suppressed = %v, want %d (line %v)", last["suppressed"], wantSuppressed, last)
			}
		})
	}
}

// Budgets are per reason: a flood of garbage must not hide an expired-token line.
func TestRefusalLogBudgetsArePerReason(t *testing.T) {
	v, logs := newTestVerifier(t, hsConfig())
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	v.refusals.now = clock.Now
	for range 100 {
		_, _ = v.Authenticate(context.Background(), "garbage")
	}
	expired := hs256WithKey(`{"alg":"HS256"}`, `{"sub":"1","exp":1000}`, []byte(testSecret))
	if _, err := v.Authenticate(context.Background(), expired); err != ErrTokenExpired {
		t.Fatalf("error = %v, want ErrTokenExpired", err)
	}
	lines := logs.refusals(t)
	if last := lines[len(lines)-1]; last["reason"] != ErrTokenExpired.Error() {
		t.Errorf("last line = %v, want the expired refusal", last)
	}
}

// Real time, concurrent callers: the bound is burst + rate × elapsed seconds.
func TestRefusalLogBoundedUnderConcurrency(t *testing.T) {
	v, logs := newTestVerifier(t, hsConfig())
	start := time.Now()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 125 {
				_, _ = v.Authenticate(context.Background(), "a.b")
			}
		})
	}
	wg.Wait()
	limit := refusalLogBurst + int(time.Since(start).Seconds()*refusalLogsPerSecond) + 1
	if got := len(logs.refusals(t)); got < 1 || got > limit {
		t.Errorf("%d log lines for 1000 failures, want 1..%d", got, limit)
	}
}
