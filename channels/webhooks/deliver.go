package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"
)

// maxDrainBytes is how much of a response body is read so the connection can be reused.
const maxDrainBytes = 64 << 10

// deliver POSTs j until it succeeds, fails finally, runs out of attempts, or ctx ends.
func (d *Dispatcher) deliver(ctx context.Context, j *job) {
	body, err := j.encode()
	if err != nil {
		d.stats.Failed.Add(1)
		d.log.Error().Err(err).Str("url", j.ep.url).Msg("webhook event not encodable")
		return
	}
	start := time.Now()
	for attempt := 1; ; attempt++ {
		retry, err := d.post(ctx, j.ep, body)
		if err == nil {
			d.stats.Delivered.Add(1)
			d.observe("ok", time.Since(start))
			return
		}
		if !retry || attempt >= d.opts.MaxAttempts || ctx.Err() != nil {
			d.stats.Failed.Add(1)
			outcome := "error"
			if errors.Is(err, context.DeadlineExceeded) {
				outcome = "timeout"
			}
			d.observe(outcome, time.Since(start))
			d.warnDrop(j, fmt.Sprintf("gave up after %d attempt(s): %v", attempt, err))
			return
		}
		d.stats.Retries.Add(1)
		t := time.NewTimer(d.backoff(attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			d.stats.Failed.Add(1)
			return
		case <-t.C:
		}
	}
}

// backoff is the wait after the attempt-th failure: BaseBackoff·2^(attempt-1), capped at
// MaxBackoff, with jitter into [d/2, d] so that many failing events do not retry in lockstep.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	wait := d.opts.BaseBackoff
	for i := 1; i < attempt && wait < d.opts.MaxBackoff; i++ {
		wait *= 2
	}
	wait = min(wait, d.opts.MaxBackoff)
	half := wait / 2
	return half + rand.N(half+1)
}

// post makes one attempt. retry reports whether a failure is worth retrying: network errors,
// timeouts, 5xx, 408 and 429 are; other statuses are final.
func (d *Dispatcher) post(ctx context.Context, ep *endpoint, body []byte) (retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.url, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "phxserver-webhooks")
	if ep.secret != nil {
		req.Header.Set(SignatureHeader, Sign(ep.secret, time.Now(), body))
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return true, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrainBytes))
	_ = resp.Body.Close()
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return false, nil
	case code >= 500, code == http.StatusRequestTimeout, code == http.StatusTooManyRequests:
		return true, fmt.Errorf("status %d", code)
	default:
		return false, fmt.Errorf("status %d", code)
	}
}
