package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// runFanout: subs subscribers on one channel, one publisher sending rate messages/s with a
// send timestamp; every subscriber records the receive latency of every message.
func runFanout(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fanout", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var tf targetFlags
	tf.register(fs)
	subs := fs.Int("subs", 10_000, "subscribers")
	rate := fs.Float64("rate", 10, "messages per second")
	duration := fs.Duration("duration", 30*time.Second, "publishing time")
	c := fs.Int("c", 100, "concurrent connects")
	topic := fs.String("topic", "load:fanout", "channel (needs client_public_messaging)")
	size := fs.Int("size", 64, "approximate payload size in bytes")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	t, err := tf.resolve()
	if err != nil {
		return err
	}
	if err := checkCount("subs", *subs); err != nil {
		return err
	}
	if err := checkDuration("duration", *duration); err != nil {
		return err
	}
	if *rate <= 0 || *rate > 10_000 || *c < 1 || *c > 1000 || *size < 0 || *size > 64<<10 {
		return fmt.Errorf("%w: -rate in (0, 10000], -c in 1..1000, -size in 0..65536", errUsage)
	}
	ctx, cancel := withDeadline(ctx, *duration)
	defer cancel()

	res := connectAll(ctx, t, *subs, *c, func(int) string { return *topic }, nil)
	defer closeAll(res.conns)
	opened := *subs - res.failures
	fmt.Fprintf(stdout, "subscribed %d/%d in %s (%d failures)\n", opened, *subs, res.elapsed.Round(time.Millisecond), res.failures)
	if res.firstErr != nil {
		fmt.Fprintf(stdout, "first failure: %v\n", res.firstErr)
	}
	if opened == 0 {
		return fmt.Errorf("phxload: no subscriber: %w", res.firstErr)
	}
	pub, err := dial(ctx, t, *subs, "")
	if err == nil {
		err = pub.join(*topic)
	}
	if err != nil {
		return fmt.Errorf("phxload: publisher: %w", err)
	}
	defer pub.close()

	var h histogram
	var readers sync.WaitGroup
	for _, conn := range res.conns {
		if conn != nil {
			readers.Go(func() { recordLatencies(conn, &h) })
		}
	}
	readers.Go(func() { discardReads(pub) })
	hbCtx, stopHB := context.WithCancel(ctx)
	defer stopHB()
	go heartbeats(hbCtx, append(res.conns, pub))
	sleep(ctx, 2*time.Second) // let connection setup garbage settle before measuring

	var cpu *cpuMeter
	if t.pid > 0 {
		if cpu, err = startCPU(t.pid); err != nil {
			return err
		}
	}
	self, err := startCPU(os.Getpid()) // phxload must stay well below 100% to be trusted
	if err != nil {
		return err
	}
	sent, err := publish(ctx, pub, *topic, *rate, *duration, *size)
	if err != nil {
		return err
	}
	// Stragglers: wait until every expected delivery arrived or 5 s passed.
	want := uint64(sent) * uint64(opened)
	deadline := time.Now().Add(5 * time.Second)
	for h.total.Load() < want && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	cpuPct := -1.0
	if cpu != nil {
		if cpuPct, err = cpu.percent(); err != nil {
			return err
		}
	}
	selfPct, err := self.percent()
	if err != nil {
		return err
	}
	rss := int64(-1)
	if t.pid > 0 {
		rss, _ = rssKiB(t.pid)
	}
	got := h.total.Load()
	stopHB()
	closeAll(res.conns)
	pub.close()
	readers.Wait()

	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64) }
	fmt.Fprintf(stdout, "sent %d messages to %d subscribers: %d/%d deliveries (%.3f%% lost)\n",
		sent, opened, got, want, 100*(1-float64(got)/float64(max(want, 1))))
	fmt.Fprintf(stdout, "latency ms: p50 %s  p90 %s  p99 %s  max %s\n",
		ms(h.quantile(0.50)), ms(h.quantile(0.90)), ms(h.quantile(0.99)), ms(time.Duration(h.max.Load())*time.Microsecond))
	fmt.Fprintf(stdout, "server CPU: %.1f%% of one core (over publishing + drain); server RSS %d KiB; phxload CPU %.1f%%\n", cpuPct, rss, selfPct)
	fmt.Fprintf(stdout, "RESULT fanout subs=%d rate=%g sent=%d deliveries=%d expected=%d p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s cpu_pct=%.1f rss_kib=%d load_cpu_pct=%.1f\n",
		opened, *rate, sent, got, want, ms(h.quantile(0.50)), ms(h.quantile(0.90)), ms(h.quantile(0.99)),
		ms(time.Duration(h.max.Load())*time.Microsecond), cpuPct, rss, selfPct)
	return nil
}

// publish sends rate messages/s for d; each payload carries its send time in ns ("t").
func publish(ctx context.Context, pub *phxConn, topic string, rate float64, d time.Duration, size int) (int, error) {
	pad := string(bytes.Repeat([]byte("x"), max(size-40, 0)))
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	sent := 0
	for next := start; time.Since(start) < d; next = next.Add(interval) {
		if wait := time.Until(next); wait > 0 {
			sleep(ctx, wait)
		}
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		payload := `{"t":` + strconv.FormatInt(time.Now().UnixNano(), 10) + `,"pad":"` + pad + `"}`
		if err := pub.send("1", topic, "msg", payload); err != nil {
			return sent, fmt.Errorf("phxload: publish: %w", err)
		}
		sent++
	}
	return sent, nil
}

// tsKey precedes the send timestamp in a delivered payload.
var tsKey = []byte(`"t":`)

// recordLatencies reads c until it closes and records, for every frame carrying a timestamp,
// the time since it was sent. Heartbeat replies carry none and are skipped.
func recordLatencies(c *phxConn, h *histogram) {
	buf := make([]byte, 0, 512)
	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			return
		}
		buf = buf[:0]
		for {
			if len(buf) == cap(buf) {
				buf = append(buf, 0)[:len(buf)]
			}
			n, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err != nil {
				break
			}
		}
		now := time.Now().UnixNano()
		i := bytes.Index(buf, tsKey)
		if i < 0 {
			continue
		}
		rest := buf[i+len(tsKey):]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		sentAt, err := strconv.ParseInt(string(rest[:j]), 10, 64)
		if err != nil {
			continue // not our timestamp
		}
		h.record(time.Duration(now - sentAt))
	}
}
