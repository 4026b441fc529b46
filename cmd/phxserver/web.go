package main

import (
	"os"
	"slices"

	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/cmd/phxserver/config"
	"github.com/phxserver/phxserver/web"
)

// setupWeb registers the dashboard's channel phxserver:dashboard: its handler (demo mode or an
// API key), the internal permission set that lets anonymous viewers join it, and the ticker
// that broadcasts the node's stats every second while someone watches.
func (s *server) setupWeb() error {
	access := web.NewDashboardAccess(s.cfg.Server.Demo, s.cfg.API.Keys)
	dash := web.NewDashboard(s.node, access.Allowed)
	if err := s.node.Router().Handle(web.DashboardTopic, dash); err != nil {
		return err
	}
	s.internalSets = append(s.internalSets, permissions.SetSpec{
		Pattern: web.DashboardTopic, Active: true, Permissions: []string{"anonymous_clients"}, Origin: "internal",
	})
	table, err := s.policyFor(s.cfg)
	if err != nil {
		return err
	}
	s.node.SetPolicy(table)
	s.runners = append(s.runners, dash.Run)
	s.reloaders = append(s.reloaders, func(cfg *config.Config) error {
		access.Set(cfg.Server.Demo, cfg.API.Keys)
		return nil
	})
	return nil
}

// mountWeb serves the demo chat page, the demo tokens, the dashboard page, the phoenix client
// and /metrics.
func (s *server) mountWeb() {
	log := s.log.With().Str("component", "web").Logger()
	phoenixJS, from, err := web.LoadPhoenixJS(phoenixJSCandidates())
	if err != nil {
		log.Warn().Err(err).Msg("/assets/phoenix.js will answer 503; run `npm ci` in the phxserver checkout")
	} else {
		log.Debug().Str("path", from).Msg("serving the phoenix client")
	}
	site, err := web.NewSite(webConfig(s.cfg, phoenixJS))
	if err != nil {
		log.Error().Err(err).Msg("web pages disabled")
	} else {
		site.Mount(s.mux)
		s.reloaders = append(s.reloaders, func(cfg *config.Config) error { return site.SetConfig(webConfig(cfg, phoenixJS)) })
	}
	s.mux.Handle("GET /metrics", s.metrics.Handler())
}

func phoenixJSCandidates() []string {
	wd, _ := os.Getwd()
	exe, _ := os.Executable()
	return web.PhoenixJSCandidates(wd, exe)
}

func webConfig(cfg *config.Config, phoenixJS []byte) web.Config {
	j := cfg.Auth.JWT
	return web.Config{
		Demo:       cfg.Server.Demo,
		SocketPath: cfg.Server.SocketPath,
		PhoenixJS:  phoenixJS,
		Token: web.TokenConfig{
			Secret:        []byte(j.Secret),
			HS256Accepted: len(j.Algorithms) == 0 || slices.Contains(j.Algorithms, "HS256"),
			Issuer:        j.Issuer, Audience: j.Audience,
			UserIDClaim: j.Claims.UserID, RoleClaim: j.Claims.Role,
			TokenTypeClaim: j.Claims.TokenType, TokenType: j.RequireTokenType,
		},
	}
}
