package main

import (
	"context"

	"github.com/phxserver/phxserver/auth"
	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/transport/httpapi"
	"github.com/phxserver/phxserver/cmd/phxserver/config"
)

// mountAPI serves the server API at /api/ (disabled, every route 404, while api.keys is empty).
// A reload swaps the keys, so a key can be added, rotated or revoked without a restart.
func (s *server) mountAPI() {
	log := s.log.With().Str("component", "api").Logger()
	api := httpapi.New(httpapi.Options{
		Node:          s.node,
		Keys:          s.cfg.API.Keys,
		Authenticator: s.apiAuthenticator(),
		Reload:        s.reload,
		Logger:        log,
	})
	s.mux.Handle("/api/", api)
	s.reloaders = append(s.reloaders, func(cfg *config.Config) error {
		api.SetKeys(cfg.API.Keys)
		return nil
	})
}

// apiAuthenticator builds the token verifier /api/explain uses: the same settings as the
// node's. Its background work (JWKS refresh) stops with the node's runners. On error, explain
// refuses tokens (501) and the rest of the API works.
// TODO(lead): keep the node's verifier on the server struct and pass it here instead.
func (s *server) apiAuthenticator() channels.Authenticator {
	ctx, cancel := context.WithCancel(context.Background())
	v, err := auth.New(ctx, authConfig(s.cfg), s.log.With().Str("component", "api-auth").Logger())
	if err != nil {
		cancel()
		s.log.Error().Err(err).Msg("api: token verification unavailable for /api/explain")
		return nil
	}
	s.runners = append(s.runners, func(run context.Context) error {
		<-run.Done()
		cancel()
		return nil
	})
	return v
}
