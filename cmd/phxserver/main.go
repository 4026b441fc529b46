// Command phxserver runs the realtime server, validates configuration files and prints its
// version. It is the only composition root: flags and environment are read here and nowhere
// else.
//
//	phxserver [--config FILE] [--listen ADDR] [--log-format json|console]
//	phxserver check --config FILE
//	phxserver version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/cmd/phxserver/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "version":
			fmt.Fprintln(stdout, "phxserver", versionString())
			return 0
		case "check":
			return runCheck(args[1:], stdout, stderr)
		case "serve":
			args = args[1:]
		}
	}
	return runServe(args, stdout, stderr)
}

func versionString() string {
	v := version
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
		v += " " + info.GoVersion
	}
	return v
}

func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		return config.Default()
	}
	return config.Load(path)
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file to validate (default: the embedded default)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: OK\n\n", cfg.Source)
	if err := permissions.WriteTable(stdout, cfg.Table()); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("phxserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file (default: the embedded demo configuration)")
	listen := fs.String("listen", "", "HTTP listen address, overrides server.listen")
	logFormat := fs.String("log-format", "json", "log format: json | console")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var out io.Writer = stdout
	if *logFormat == "console" {
		out = zerolog.ConsoleWriter{Out: stdout, TimeFormat: time.RFC3339}
	} else if *logFormat != "json" {
		fmt.Fprintln(stderr, "--log-format must be json or console")
		return 2
	}
	log := zerolog.New(out).With().Timestamp().Logger()

	cfg, err := loadConfig(*path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		log.Error().Err(err).Msg("invalid configuration")
		return 1
	}
	if *listen != "" {
		cfg.Server.Listen = *listen
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	srv, err := newServer(ctx, cfg, *path, log)
	if err != nil {
		log.Error().Err(err).Msg("cannot start")
		return 1
	}
	if err := srv.run(ctx, hup); err != nil && !errors.Is(err, context.Canceled) {
		log.Error().Err(err).Msg("server stopped with an error")
		return 1
	}
	log.Info().Msg("stopped")
	return 0
}
