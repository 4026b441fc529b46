package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// runJoins measures connect+join throughput with distinct HS256 tokens: every connection dials
// with its own token, joins, and closes.
func runJoins(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("joins", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var tf targetFlags
	tf.register(fs)
	n := fs.Int("n", 10_000, "joins to perform")
	c := fs.Int("c", 64, "concurrent clients")
	secret := fs.String("secret", "", "HS256 secret of the server (empty = anonymous joins)")
	topic := fs.String("topic", "room:lobby", "channel to join (with -per-conn > 1: <topic>-<k>)")
	perConn := fs.Int("per-conn", 1, "joins per connection, pipelined (isolates join cost from the WebSocket handshake)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	t, err := tf.resolve()
	if err != nil {
		return err
	}
	if err := checkCount("n", *n); err != nil {
		return err
	}
	if *c < 1 || *c > 1000 || *perConn < 1 || *perConn > 100 {
		return fmt.Errorf("%w: -c must be 1..1000, -per-conn 1..100", errUsage)
	}
	ctx, cancel := withDeadline(ctx, 0)
	defer cancel()

	var tokens []string
	if *secret != "" {
		if tokens, err = mintTokens(*secret, *n); err != nil {
			return err
		}
	}
	var cpu *cpuMeter
	if t.pid > 0 {
		if cpu, err = startCPU(t.pid); err != nil {
			return err
		}
	}
	token := func(i int) string { return tokens[i] }
	if tokens == nil {
		token = nil
	}
	res := closingConnectAll(ctx, t, *n, *c, *topic, *perConn, token)
	cpuPct := -1.0
	if cpu != nil {
		if cpuPct, err = cpu.percent(); err != nil {
			return err
		}
	}
	ok := (*n - res.failures) * *perConn
	rate := float64(ok) / res.elapsed.Seconds()
	fmt.Fprintf(stdout, "%d/%d joins in %s (%d failures): %.0f joins/s\n", ok, *n, res.elapsed.Round(time.Millisecond), res.failures, rate)
	if res.firstErr != nil {
		fmt.Fprintf(stdout, "first failure: %v\n", res.firstErr)
	}
	perCore := -1.0
	if cpuPct > 0 {
		perCore = rate / (cpuPct / 100)
		fmt.Fprintf(stdout, "server CPU %.1f%% of one core: %.0f joins per server CPU-second\n", cpuPct, perCore)
	}
	fmt.Fprintf(stdout, "RESULT joins n=%d per_conn=%d ok=%d c=%d jwt=%t joins_per_s=%.0f cpu_pct=%.1f joins_per_cpu_s=%.0f\n",
		*n, *perConn, ok, *c, tokens != nil, rate, cpuPct, perCore)
	return nil
}

// closingConnectAll is connectAll where each connection closes right after its joins, so the
// process never holds more than c connections. With perConn > 1 each connection pipelines
// perConn joins of <topic>-<k> after its first join of topic.
func closingConnectAll(ctx context.Context, t *target, n, c int, topic string, perConn int, token func(int) string) connectResult {
	closer := make(chan *phxConn, c)
	done := make(chan struct{})
	go func() {
		for conn := range closer {
			conn.close()
		}
		close(done)
	}()
	var extraFailures atomic.Int64
	var firstExtra atomic.Pointer[error]
	res := connectAllEach(ctx, t, n, c, func(int) string { return topic }, token, func(conn *phxConn) {
		if perConn > 1 {
			if err := conn.joinMany(topic, perConn-1); err != nil {
				extraFailures.Add(1)
				firstExtra.CompareAndSwap(nil, &err)
			}
		}
		closer <- conn
	})
	close(closer)
	<-done
	res.failures += int(extraFailures.Load())
	if e := firstExtra.Load(); e != nil && res.firstErr == nil {
		res.firstErr = *e
	}
	return res
}

// mintTokens signs n distinct tokens (sub, name, iat, exp), as an application would.
func mintTokens(secret string, n int) ([]string, error) {
	now := time.Now()
	key := []byte(secret)
	out := make([]string, n)
	for i := range out {
		claims := jwt.MapClaims{"sub": strconv.Itoa(i + 1), "name": "load user " + strconv.Itoa(i+1),
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
		if err != nil {
			return nil, fmt.Errorf("phxload: sign token: %w", err)
		}
		out[i] = s
	}
	return out, nil
}
