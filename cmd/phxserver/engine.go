package main

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels/pubsub"
	"github.com/phxserver/phxserver/channels/pubsub/redispubsub"
	"github.com/phxserver/phxserver/cmd/phxserver/config"
)

// engine is the cluster plumbing chosen by engine.type: nothing for memory (a single node),
// the Redis broker for redis.
type engine struct {
	nodeID string
	broker pubsub.Broker // nil for a single node
	close  func() error
}

func newEngine(ctx context.Context, cfg *config.Config, log zerolog.Logger) (*engine, error) {
	e := &engine{nodeID: uuid.NewString(), close: func() error { return nil }}
	if cfg.Engine.Type != config.EngineRedis {
		return e, nil
	}
	b, err := redispubsub.New(ctx, redispubsub.Options{
		URL: cfg.Engine.Redis.URL, NodeID: e.nodeID, Logger: log.With().Str("component", "redis").Logger(),
	})
	if err != nil {
		return nil, fmt.Errorf("engine redis: %w", err)
	}
	e.broker, e.close = b, b.Close
	log.Info().Str("node", e.nodeID).Msg("redis engine connected")
	return e, nil
}
