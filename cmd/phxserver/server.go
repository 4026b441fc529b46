package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/phxserver/phxserver/auth"
	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/channels/transport/ws"
	"github.com/phxserver/phxserver/channels/transport/xano"
	"github.com/phxserver/phxserver/cmd/phxserver/config"
	"github.com/phxserver/phxserver/metrics"
)

// server wires the configuration to the core and the transports.
type server struct {
	cfg        *config.Config
	configPath string
	log        zerolog.Logger
	node       *channels.Node
	mux        *http.ServeMux
	xano       *xano.Handler
	certs      *certReloader // nil without server.tls
	engine     *engine
	metrics    *metrics.Metrics
	verifier   *auth.Verifier
	ready      atomic.Bool
	// runners are background components started with the node and stopped after the drain.
	runners []func(ctx context.Context) error
	// reloaders run after a successful configuration reload (SIGHUP, POST /api/reload).
	reloaders []func(cfg *config.Config) error
	// internalSets are permission sets the server adds for its own channels (the dashboard).
	internalSets []permissions.SetSpec
}

func newServer(ctx context.Context, cfg *config.Config, configPath string, log zerolog.Logger) (*server, error) {
	verifier, err := auth.New(ctx, authConfig(cfg), log.With().Str("component", "auth").Logger())
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	s := &server{cfg: cfg, configPath: configPath, log: log, mux: http.NewServeMux(), verifier: verifier}
	table, err := s.policyFor(cfg)
	if err != nil {
		return nil, err
	}
	eng, err := newEngine(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	s.engine = eng
	opts := channels.Options{
		NodeID:         eng.nodeID,
		Broker:         eng.broker,
		Policy:         table,
		Authenticator:  verifier,
		PresenceWindow: cfg.Engine.PresenceWindow,
		Limits: channels.Limits{
			MaxConnections:       cfg.Limits.MaxConnections,
			MaxChannelsPerSocket: channelsPerSocket(cfg.Limits.MaxChannelsPerSocket),
			QueueBytes:           cfg.Limits.SocketQueueBytes,
			MessagesPerSecond:    float64(cfg.Limits.MessagesPerSecond),
		},
		Logger: log,
	}
	if eng.history != nil {
		opts.HistoryStore = eng.history
		s.runners = append(s.runners, eng.history.Run)
	}
	node, err := channels.NewNode(opts)
	if err != nil {
		_ = eng.close()
		return nil, err
	}
	s.node = node
	if cfg.Server.TLS.Enabled() {
		if s.certs, err = newCertReloader(cfg.Server.TLS.CertFile, cfg.Server.TLS.KeyFile, log); err != nil {
			return nil, err
		}
	}
	if s.metrics, err = metrics.New(node); err != nil {
		return nil, err
	}
	s.runners = append(s.runners, trimWhenQuiet)
	// Optional components: one call per line, each defined in its own file of this package.
	if err := s.setupTriggers(); err != nil {
		return nil, err
	}
	if err := s.setupWeb(); err != nil {
		return nil, err
	}
	// (setup-list-end)
	s.routes()
	return s, nil
}

func authConfig(cfg *config.Config) auth.Config {
	j := cfg.Auth.JWT
	c := auth.Config{
		Algorithms: j.Algorithms, Secret: j.Secret, PublicKeyFile: j.PublicKeyFile, JWKSURL: j.JWKSURL,
		Issuer: j.Issuer, Audience: j.Audience, Leeway: j.Leeway, RequireTokenType: j.RequireTokenType,
		Claims: auth.ClaimNames{
			UserID: j.Claims.UserID, Role: j.Claims.Role, Channels: j.Claims.Channels, TokenType: j.Claims.TokenType,
			Presence: j.Claims.Presence, XanoDboID: j.Claims.XanoDboID, XanoRowID: j.Claims.XanoRowID,
		},
	}
	c.Claims.ApplyDefaults()
	return c
}

func (s *server) routes() {
	base := strings.TrimRight(s.cfg.Server.SocketPath, "/")
	s.mux.Handle(base+"/websocket", ws.NewPhoenixHandler(s.node, ws.Config{
		CheckOrigin:           s.cfg.Server.CheckOrigin,
		MaxFrameBytes:         int64(s.cfg.Limits.MaxFrameBytes),
		InvalidTokenAnonymous: s.cfg.Auth.InvalidToken == "anonymous",
	}))
	s.xano = xano.NewHandler(s.node, xano.Config{
		Canonicals:    s.cfg.Server.Xano.Canonicals,
		CheckOrigin:   s.cfg.Server.CheckOrigin,
		MaxFrameBytes: int64(s.cfg.Limits.MaxFrameBytes),
	})
	s.mux.Handle("/rt/{canonical...}", s.xano) // any path under /rt/ reaches the handler, which refuses unknown canonicals with 4004
	// Additional endpoints: one call per line, each defined in its own file of this package.
	s.mountLongPoll()
	s.mountAPI()
	s.mountWeb()
	// (mount-list-end)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	s.mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !s.ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("draining\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
}

// run serves until ctx is done, then drains: stop accepting, close sockets with 1012 in
// batches, and return within server.shutdown_grace.
func (s *server) run(ctx context.Context, hup <-chan os.Signal) error {
	ln, err := net.Listen("tcp", s.cfg.Server.Listen)
	if err != nil {
		return err
	}
	httpSrv := &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second}
	nodeCtx, stopNode := context.WithCancel(context.WithoutCancel(ctx))
	defer stopNode()

	g, gctx := errgroup.WithContext(nodeCtx)
	g.Go(func() error { return s.node.Run(gctx) })
	for _, run := range s.runners {
		g.Go(func() error { return run(gctx) })
	}
	g.Go(func() error {
		if err := httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	var tlsSrv *http.Server
	if s.certs != nil {
		addr := s.cfg.Server.TLS.Listen
		if addr == "" {
			addr = ":443"
		}
		tln, err := net.Listen("tcp", addr)
		if err != nil {
			stopNode()
			_ = httpSrv.Close()
			_ = g.Wait()
			return fmt.Errorf("tls listener: %w", err)
		}
		tlsSrv = &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second, TLSConfig: s.certs.tlsConfig()}
		g.Go(func() error {
			if err := tlsSrv.ServeTLS(tln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
		g.Go(func() error { return s.certs.watch(gctx, 10*time.Second) })
		s.log.Info().Str("addr", tln.Addr().String()).Msg("listening (TLS)")
	}
	s.ready.Store(true)
	s.log.Info().Str("addr", ln.Addr().String()).Str("config", s.cfg.Source).Str("version", versionString()).Msg("listening")

	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-gctx.Done():
			done = true
		case <-hup:
			_ = s.reload()
		}
	}
	s.ready.Store(false)
	grace := s.cfg.Server.ShutdownGrace
	if grace <= 0 {
		grace = 10 * time.Second
	}
	drainCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	s.log.Info().Dur("grace", grace).Int64("connections", s.node.Stats().Connections.Load()).Msg("draining")
	_ = ln.Close()
	// Shutdown lets in-flight requests (held LongPoll polls answering 410 after the drain)
	// finish within the grace; Close then drops whatever is left.
	var shutdowns sync.WaitGroup
	for _, srv := range []*http.Server{httpSrv, tlsSrv} {
		if srv != nil {
			shutdowns.Add(1)
			go func() { defer shutdowns.Done(); _ = srv.Shutdown(drainCtx) }()
		}
	}
	s.node.Drain(drainCtx, 500)
	shutdowns.Wait()
	_ = httpSrv.Close()
	if tlsSrv != nil {
		_ = tlsSrv.Close()
	}
	stopNode()
	err = g.Wait()
	if cerr := s.engine.close(); cerr != nil {
		s.log.Warn().Err(cerr).Msg("closing the engine")
	}
	return err
}

// policyFor compiles the configuration's permission sets plus the server's internal ones.
func (s *server) policyFor(cfg *config.Config) (*permissions.Table, error) {
	if len(s.internalSets) == 0 {
		return cfg.Table(), nil
	}
	return permissions.Compile(append(cfg.ChannelSpecs(), s.internalSets...))
}

// errEmbeddedConfig refuses a reload when the server runs on the embedded configuration.
var errEmbeddedConfig = errors.New("running on the embedded configuration: nothing to reload")

// reload re-reads the configuration file and installs its channel rules (and what the
// reloaders derive from it); a bad file keeps the configuration in force.
func (s *server) reload() error {
	if s.configPath == "" {
		s.log.Info().Msg("reload ignored: running on the embedded configuration")
		return errEmbeddedConfig
	}
	cfg, err := config.Load(s.configPath)
	if err != nil {
		s.log.Error().Err(err).Msg("reload failed; keeping the current configuration")
		return err
	}
	for _, r := range s.reloaders {
		if err := r(cfg); err != nil {
			s.log.Error().Err(err).Msg("reload failed; keeping the current configuration")
			return err
		}
	}
	table, err := s.policyFor(cfg)
	if err != nil {
		s.log.Error().Err(err).Msg("reload failed; keeping the current configuration")
		return err
	}
	s.node.SetPolicy(table)
	s.cfg = cfg
	s.xano.SetCanonicals(cfg.Server.Xano.Canonicals)
	if s.certs != nil {
		s.certs.reloadLogged()
	}
	s.log.Info().Str("config", cfg.Source).Msg("channel configuration reloaded")
	return nil
}

// channelsPerSocket maps limits.max_channels_per_socket to the core's limit: in the config
// file 0 means unlimited (the core's zero value means its default of 100).
func channelsPerSocket(n int) int {
	if n == 0 {
		return math.MaxInt32
	}
	return n
}
