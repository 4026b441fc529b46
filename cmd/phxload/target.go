package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/url"
	"time"
)

// Bounds that keep every run finite and local.
const (
	maxConnsPerProcess = 19_900 // the open-file limit is 20 000
	maxDuration        = 10 * time.Minute
	maxSources         = 250
)

// target is the server under test and how to reach it.
type target struct {
	url     *url.URL
	sources []net.IP // local addresses dialled from, round-robin (127.0.0.x)
	pid     int      // server process for /proc readings; 0 = none
}

// targetFlags registers the flags every mode shares.
type targetFlags struct {
	url     string
	sources int
	pid     int
}

func (tf *targetFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&tf.url, "url", "ws://127.0.0.1:4000/socket/websocket", "Phoenix WebSocket endpoint (loopback only)")
	fs.IntVar(&tf.sources, "sources", 1, "dial from 127.0.0.1..127.0.0.N (about 28k connections per address)")
	fs.IntVar(&tf.pid, "pid", 0, "server process id, for RSS and CPU readings from /proc")
}

// resolve checks the flags: the URL must be ws:// to an address in 127.0.0.0/8.
func (tf *targetFlags) resolve() (*target, error) {
	u, err := url.Parse(tf.url)
	if err != nil || u.Scheme != "ws" {
		return nil, fmt.Errorf("%w: -url must be a ws:// URL", errUsage)
	}
	ip := net.ParseIP(u.Hostname())
	if u.Hostname() == "localhost" {
		ip = net.IPv4(127, 0, 0, 1)
	}
	if ip == nil || ip.To4() == nil || ip.To4()[0] != 127 {
		return nil, fmt.Errorf("%w: -url host must be an IPv4 address in 127.0.0.0/8", errUsage)
	}
	if tf.sources < 1 || tf.sources > maxSources {
		return nil, fmt.Errorf("%w: -sources must be 1..%d", errUsage, maxSources)
	}
	q := u.Query()
	q.Set("vsn", "2.0.0")
	u.RawQuery = q.Encode()
	t := &target{url: u, pid: tf.pid}
	for i := 1; i <= tf.sources; i++ {
		t.sources = append(t.sources, net.IPv4(127, 0, 0, byte(i)))
	}
	return t, nil
}

func checkCount(name string, n int) error {
	if n < 1 || n > maxConnsPerProcess {
		return fmt.Errorf("%w: -%s must be 1..%d (run several processes for more)", errUsage, name, maxConnsPerProcess)
	}
	return nil
}

func checkDuration(name string, d time.Duration) error {
	if d <= 0 || d > maxDuration {
		return fmt.Errorf("%w: -%s must be in (0, %s]", errUsage, name, maxDuration)
	}
	return nil
}

// withDeadline bounds a whole run: the mode's own time plus a margin for connecting.
func withDeadline(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d+5*time.Minute)
}
