// Command phxload is phxserver's load generator. It speaks Phoenix V2 JSON over WebSocket
// (gorilla/websocket) directly, targets loopback addresses only, and every mode stops by
// itself.
//
//	phxload idle   -url ws://127.0.0.1:4000/socket/websocket -pid PID -n 10000 -hold 60s
//	phxload fanout -url ... -pid PID -subs 10000 -rate 10 -duration 30s
//	phxload joins  -url ... -pid PID -n 20000 -c 64 -secret S -topic room:lobby
//
// Run it pinned to a different core than the server (taskset -c 1) so that it is not the
// bottleneck it measures.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// errUsage marks a command line problem (exit status 2).
var errUsage = errors.New("phxload: usage")

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: phxload idle|fanout|joins [flags] (phxload <mode> -h for flags)")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var err error
	switch args[0] {
	case "idle":
		err = runIdle(ctx, args[1:], stdout, stderr)
	case "fanout":
		err = runFanout(ctx, args[1:], stdout, stderr)
	case "joins":
		err = runJoins(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "phxload: unknown mode %q (idle, fanout, joins)\n", args[0])
		return 2
	}
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, err)
		return 2
	case err != nil:
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
