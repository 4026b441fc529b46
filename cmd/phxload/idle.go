package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"
)

// runIdle opens n idle connections, each joined to a channel, holds them with heartbeats and
// reports the server's RSS growth per connection.
func runIdle(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("idle", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var tf targetFlags
	tf.register(fs)
	n := fs.Int("n", 10_000, "connections to open")
	c := fs.Int("c", 100, "concurrent connects")
	hold := fs.Duration("hold", 30*time.Second, "how long to hold the connections once all are open")
	settle := fs.Duration("settle", 10*time.Second, "wait before reading the server's RSS after connecting")
	topics := fs.Int("topics", 1, "spread the connections over this many topics load:idle-<k>")
	prefix := fs.String("topic-prefix", "load:idle", "topic prefix")
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
	if err := checkDuration("hold", *hold); err != nil {
		return err
	}
	if *topics < 1 || *c < 1 || *c > 1000 || *settle < 0 || *settle > maxDuration {
		return fmt.Errorf("%w: -topics >= 1, -c in 1..1000, -settle in [0, %s]", errUsage, maxDuration)
	}
	ctx, cancel := withDeadline(ctx, *hold+*settle)
	defer cancel()

	before, err := rssKiB(t.pid)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "server RSS before: %d KiB\n", before)
	res := connectAll(ctx, t, *n, *c, func(i int) string { return fmt.Sprintf("%s-%d", *prefix, i%*topics) }, nil)
	defer closeAll(res.conns)
	opened := *n - res.failures
	fmt.Fprintf(stdout, "opened %d/%d connections in %s (%d failures)\n", opened, *n, res.elapsed.Round(time.Millisecond), res.failures)
	if res.firstErr != nil {
		fmt.Fprintf(stdout, "first failure: %v\n", res.firstErr)
	}
	if opened == 0 {
		return fmt.Errorf("phxload: no connection opened: %w", res.firstErr)
	}

	var readers sync.WaitGroup
	for _, conn := range res.conns {
		if conn != nil {
			readers.Go(func() { discardReads(conn) })
		}
	}
	hbCtx, stopHB := context.WithCancel(ctx)
	go heartbeats(hbCtx, res.conns)

	sleep(ctx, *settle)
	after, err := rssKiB(t.pid)
	if err != nil {
		stopHB()
		return err
	}
	fmt.Fprintf(stdout, "server RSS after %s: %d KiB; growth %d KiB = %.2f KiB per connection\n",
		*settle, after, after-before, float64(after-before)/float64(opened))
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(stdout, "phxload heap in use: %d KiB\n", ms.HeapInuse>>10)

	sleep(ctx, *hold)
	end, err := rssKiB(t.pid)
	stopHB()
	closeAll(res.conns)
	readers.Wait()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "server RSS at end of hold: %d KiB = %.2f KiB per connection\n", end, float64(end-before)/float64(opened))
	fmt.Fprintf(stdout, "RESULT idle conns=%d rss_before_kib=%d rss_after_kib=%d kib_per_conn=%.2f kib_per_conn_end=%.2f\n",
		opened, before, after, float64(after-before)/float64(opened), float64(end-before)/float64(opened))
	return nil
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
