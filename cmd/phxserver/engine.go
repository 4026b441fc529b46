package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels/history"
	"github.com/phxserver/phxserver/channels/pubsub"
	"github.com/phxserver/phxserver/channels/pubsub/redispubsub"
	"github.com/phxserver/phxserver/cmd/phxserver/config"
)

// engine is the cluster plumbing chosen by engine.type (nothing for memory, the Redis broker
// for redis) and the durable history store of engine.history_path.
type engine struct {
	nodeID  string
	broker  pubsub.Broker // nil for a single node
	history *history.Bolt // nil: history in memory only
	close   func() error
}

func newEngine(ctx context.Context, cfg *config.Config, log zerolog.Logger) (*engine, error) {
	e := &engine{nodeID: uuid.NewString(), close: func() error { return nil }}
	if cfg.Engine.HistoryPath != "" {
		b, err := history.OpenBolt(cfg.Engine.HistoryPath, log.With().Str("component", "history").Logger())
		if err != nil {
			return nil, fmt.Errorf("engine history_path: %w", err)
		}
		e.history = b
		e.close = b.Close
	}
	if cfg.Engine.Type != config.EngineRedis {
		return e, nil
	}
	b, err := redispubsub.New(ctx, redispubsub.Options{
		URL: cfg.Engine.Redis.URL, NodeID: e.nodeID, Logger: log.With().Str("component", "redis").Logger(),
	})
	if err != nil {
		_ = e.close()
		return nil, fmt.Errorf("engine redis: %w", err)
	}
	closeHistory := e.close
	e.broker = b
	e.close = func() error { return errors.Join(b.Close(), closeHistory()) }
	log.Info().Str("node", e.nodeID).Msg("redis engine connected")
	return e, nil
}
