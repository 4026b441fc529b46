package main

import (
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
		Authenticator: s.verifier, // the node's own: explain decides with the same keys and rules
		Reload:        s.reload,
		Logger:        log,
	})
	s.mux.Handle("/api/", api)
	s.reloaders = append(s.reloaders, func(cfg *config.Config) error {
		api.SetKeys(cfg.API.Keys)
		return nil
	})
}
